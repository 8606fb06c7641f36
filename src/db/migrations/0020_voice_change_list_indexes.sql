CREATE INDEX "voice_changes_tenant_created_idx" ON "voice_changes" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "voice_changes_tenant_operator_idx" ON "voice_changes" USING btree ("tenant_id","operator_id","created_at");--> statement-breakpoint
CREATE INDEX "voice_changes_tenant_ticket_idx" ON "voice_changes" USING btree ("tenant_id","ticket_id");
DROP INDEX "audit_tenant_idx";--> statement-breakpoint
CREATE INDEX "audit_tenant_page_idx" ON "audit_events" USING btree ("tenant_id","id","action");
ALTER TABLE "number_ranges" ADD COLUMN "pattern" text;--> statement-breakpoint
ALTER TABLE "number_ranges" ADD COLUMN "pattern_next" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "display_name" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "usage_location" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "country" text;--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_country_idx" ON "phone_numbers" USING btree ("tenant_id","country","e164","id");--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_usage_location_idx" ON "phone_numbers" USING btree ("tenant_id","usage_location","e164","id") WHERE "phone_numbers"."usage_location" <> '';
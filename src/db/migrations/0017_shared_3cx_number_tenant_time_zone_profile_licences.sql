ALTER TABLE "tenants" ADD COLUMN "time_zone" text;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "linked_extension" text;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "linked_extension_name" text;--> statement-breakpoint
ALTER TABLE "voice_profiles" ADD COLUMN "licence_sku_ids" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "voice_profiles" ADD COLUMN "usage_location" text;--> statement-breakpoint
CREATE UNIQUE INDEX "phone_numbers_one_linked_number_per_extension" ON "phone_numbers" USING btree ("tenant_id","linked_extension") WHERE "phone_numbers"."linked_extension" is not null;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD CONSTRAINT "phone_numbers_linked_extension_beside_teams_user" CHECK ("phone_numbers"."linked_extension" is null or ("phone_numbers"."status" = 'assigned' and "phone_numbers"."assignee_type" = 'teams_user'));
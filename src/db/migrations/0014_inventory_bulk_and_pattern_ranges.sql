ALTER TABLE "number_ranges" ADD COLUMN "pattern" text;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "import_id" uuid;--> statement-breakpoint
CREATE INDEX "phone_numbers_import_idx" ON "phone_numbers" USING btree ("import_id") WHERE "phone_numbers"."import_id" is not null;
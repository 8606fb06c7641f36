CREATE TABLE "emergency_locations" (
	"tenant_id" uuid NOT NULL,
	"location_id" text NOT NULL,
	"civic_address_id" text DEFAULT '' NOT NULL,
	"place" text DEFAULT '' NOT NULL,
	"company_name" text DEFAULT '' NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"house_number" text DEFAULT '' NOT NULL,
	"street_name" text DEFAULT '' NOT NULL,
	"city" text DEFAULT '' NOT NULL,
	"state_or_province" text DEFAULT '' NOT NULL,
	"postal_code" text DEFAULT '' NOT NULL,
	"country_or_region" text DEFAULT '' NOT NULL,
	"source" text NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "emergency_locations_tenant_id_location_id_pk" PRIMARY KEY("tenant_id","location_id")
);
--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "default_location_id" text;--> statement-breakpoint
ALTER TABLE "number_ranges" ADD COLUMN "default_location_id" text;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD COLUMN "emergency_location_id" text;--> statement-breakpoint
ALTER TABLE "emergency_locations" ADD CONSTRAINT "emergency_locations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "emergency_locations_address_idx" ON "emergency_locations" USING btree ("tenant_id","civic_address_id");
CREATE TABLE "teams_directory_syncs" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"synced_at" timestamp with time zone,
	"requested_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "bulk_jobs" ADD COLUMN "source" text DEFAULT 'csv' NOT NULL;--> statement-breakpoint
ALTER TABLE "teams_directory_syncs" ADD CONSTRAINT "teams_directory_syncs_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
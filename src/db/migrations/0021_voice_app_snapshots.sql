CREATE TABLE "voice_app_snapshots" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"snapshot" jsonb NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "voice_app_snapshots" ADD CONSTRAINT "voice_app_snapshots_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
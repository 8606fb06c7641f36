CREATE TABLE "teams_policy_refreshes" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"refreshed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "teams_policy_refreshes" ADD CONSTRAINT "teams_policy_refreshes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
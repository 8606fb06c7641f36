CREATE TABLE "reconcile_checks" (
	"tenant_id" uuid NOT NULL,
	"system" text NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"system_numbers" integer NOT NULL,
	"inventory_numbers" integer NOT NULL,
	"drift_count" integer NOT NULL,
	"fixable_count" integer NOT NULL,
	"by_kind" jsonb NOT NULL,
	CONSTRAINT "reconcile_checks_tenant_id_system_pk" PRIMARY KEY("tenant_id","system")
);
--> statement-breakpoint
ALTER TABLE "reconcile_checks" ADD CONSTRAINT "reconcile_checks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
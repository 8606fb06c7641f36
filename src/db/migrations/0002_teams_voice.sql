CREATE TABLE "teams_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"policy_type" text NOT NULL,
	"name" text NOT NULL,
	"policy_id" text,
	"source" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "teams_users" (
	"tenant_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"upn" text NOT NULL,
	"display_name" text DEFAULT '' NOT NULL,
	"account_enabled" boolean DEFAULT true NOT NULL,
	"usage_location" text,
	"account_type" text,
	"phone_system" boolean DEFAULT false NOT NULL,
	"enterprise_voice" boolean DEFAULT false NOT NULL,
	"numbers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"policies" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "teams_users_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "tenant_connections" (
	"tenant_id" uuid NOT NULL,
	"system" text NOT NULL,
	"settings" jsonb NOT NULL,
	"secret_enc" text,
	"last_test_at" timestamp with time zone,
	"last_test_ok" boolean,
	"last_test_result" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_connections_tenant_id_system_pk" PRIMARY KEY("tenant_id","system")
);
--> statement-breakpoint
CREATE TABLE "voice_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"user_upn" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"before" jsonb NOT NULL,
	"requested" jsonb NOT NULL,
	"new_number_id" uuid,
	"old_number_id" uuid,
	"claimed_from" jsonb,
	"operation_url" text,
	"error_code" text,
	"error_message" text,
	"ticket_id" text,
	"revert_of" uuid,
	"operator_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "voice_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"number_source" jsonb,
	"policies" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "teams_policies" ADD CONSTRAINT "teams_policies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams_users" ADD CONSTRAINT "teams_users_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_connections" ADD CONSTRAINT "tenant_connections_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voice_changes" ADD CONSTRAINT "voice_changes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voice_changes" ADD CONSTRAINT "voice_changes_operator_id_operators_id_fk" FOREIGN KEY ("operator_id") REFERENCES "public"."operators"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "voice_profiles" ADD CONSTRAINT "voice_profiles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "teams_policies_unique" ON "teams_policies" USING btree ("tenant_id","policy_type",lower("name"));--> statement-breakpoint
CREATE INDEX "teams_users_tenant_upn_idx" ON "teams_users" USING btree ("tenant_id","upn");--> statement-breakpoint
CREATE INDEX "teams_users_search_idx" ON "teams_users" USING gin ("tenant_id","search_text" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "voice_changes_tenant_user_idx" ON "voice_changes" USING btree ("tenant_id","user_id","created_at");--> statement-breakpoint
CREATE INDEX "voice_changes_pending_idx" ON "voice_changes" USING btree ("status") WHERE "voice_changes"."status" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "voice_profiles_unique" ON "voice_profiles" USING btree ("tenant_id",lower("name"));
-- E.164 and extensions are ASCII: the "C" collation compares them bytewise, much faster than a locale.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;
--> statement-breakpoint
CREATE TABLE "operator_preferences" (
	"operator_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"address" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"microsoft_tenant_id" uuid,
	"primary_domain" text,
	"default_country" text,
	"connectwise_company_id" text,
	"notes" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"is_demo" boolean DEFAULT false NOT NULL,
	"teams_enabled" boolean,
	"threecx_enabled" boolean,
	"connectwise_enabled" boolean,
	"manual_number_entry" boolean,
	"cooling_days" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_microsoft_tenant_id_unique" UNIQUE("microsoft_tenant_id")
);
--> statement-breakpoint
CREATE TABLE "number_ranges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"start_e164" text COLLATE "C" NOT NULL,
	"end_e164" text COLLATE "C" NOT NULL,
	"size" integer NOT NULL,
	"kind" text NOT NULL,
	"carrier" text DEFAULT '' NOT NULL,
	"site_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "number_stats_daily" (
	"day" date NOT NULL,
	"tenant_id" uuid NOT NULL,
	"range_id" uuid,
	"status" text NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "phone_numbers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"e164" text COLLATE "C" NOT NULL,
	"extension" text COLLATE "C" DEFAULT '' NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'available' NOT NULL,
	"range_id" uuid,
	"site_id" uuid,
	"carrier" text DEFAULT '' NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"assignee_type" text,
	"assignee_id" text,
	"assignee_upn" text,
	"assignee_name" text,
	"reserved_by" uuid,
	"reserved_until" timestamp with time zone,
	"reservation_reason" text,
	"reservation_ticket" text,
	"cooling_until" timestamp with time zone,
	"search_text" text DEFAULT '' NOT NULL,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "phone_numbers_assigned_has_assignee" CHECK (("phone_numbers"."status" = 'assigned') = ("phone_numbers"."assignee_id" is not null)),
	CONSTRAINT "phone_numbers_reserved_has_expiry" CHECK ("phone_numbers"."status" <> 'reserved' or "phone_numbers"."reserved_until" is not null),
	CONSTRAINT "phone_numbers_cooling_has_end" CHECK ("phone_numbers"."status" <> 'cooling' or "phone_numbers"."cooling_until" is not null),
	CONSTRAINT "phone_numbers_e164_format" CHECK ("phone_numbers"."e164" ~ '^\+[1-9][0-9]{6,14}$')
);
--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "number_ranges" ADD CONSTRAINT "number_ranges_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "number_ranges" ADD CONSTRAINT "number_ranges_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "number_stats_daily" ADD CONSTRAINT "number_stats_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD CONSTRAINT "phone_numbers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD CONSTRAINT "phone_numbers_range_id_number_ranges_id_fk" FOREIGN KEY ("range_id") REFERENCES "public"."number_ranges"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_numbers" ADD CONSTRAINT "phone_numbers_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "operator_preferences_pk" ON "operator_preferences" USING btree ("operator_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "sites_tenant_name_unique" ON "sites" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_name_unique" ON "tenants" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "number_ranges_tenant_name_unique" ON "number_ranges" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "number_stats_daily_unique" ON "number_stats_daily" USING btree ("day","tenant_id",coalesce("range_id", '00000000-0000-0000-0000-000000000000'::uuid),"status");--> statement-breakpoint
CREATE UNIQUE INDEX "phone_numbers_e164_ext_unique" ON "phone_numbers" USING btree ("e164","extension");--> statement-breakpoint
CREATE UNIQUE INDEX "phone_numbers_one_number_per_assignee" ON "phone_numbers" USING btree ("tenant_id","assignee_type","assignee_id") WHERE "phone_numbers"."status" = 'assigned';--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_e164_idx" ON "phone_numbers" USING btree ("tenant_id","e164","id");--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_status_e164_idx" ON "phone_numbers" USING btree ("tenant_id","status","e164","id");--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_updated_idx" ON "phone_numbers" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_assignee_idx" ON "phone_numbers" USING btree ("tenant_id","status",coalesce("assignee_upn", ''),"e164","id");--> statement-breakpoint
CREATE INDEX "phone_numbers_range_status_idx" ON "phone_numbers" USING btree ("range_id","status","e164");--> statement-breakpoint
CREATE INDEX "phone_numbers_site_idx" ON "phone_numbers" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "phone_numbers_cooling_idx" ON "phone_numbers" USING btree ("cooling_until") WHERE "phone_numbers"."status" = 'cooling';--> statement-breakpoint
CREATE INDEX "phone_numbers_reserved_idx" ON "phone_numbers" USING btree ("reserved_until") WHERE "phone_numbers"."status" = 'reserved';--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_tags_idx" ON "phone_numbers" USING gin ("tenant_id","tags");--> statement-breakpoint
CREATE INDEX "phone_numbers_tenant_search_idx" ON "phone_numbers" USING gin ("tenant_id","search_text" gin_trgm_ops);
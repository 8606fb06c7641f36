ALTER TABLE "operators" ADD COLUMN "connectwise_member" text;--> statement-breakpoint
ALTER TABLE "voice_changes" ADD COLUMN "ticket_log_status" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "voice_changes" ADD COLUMN "ticket_log_error" text;--> statement-breakpoint
ALTER TABLE "voice_changes" ADD COLUMN "ticket_log_done" jsonb DEFAULT '[]'::jsonb NOT NULL;
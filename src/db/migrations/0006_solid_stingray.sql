CREATE TABLE "threecx_tokens" (
	"holder_key" text PRIMARY KEY NOT NULL,
	"credential_enc" text,
	"access_token_enc" text,
	"renew_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"refresh_token_enc" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE "agencies" ADD COLUMN "logo_storage_key" text;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "logo_content_type" text;--> statement-breakpoint
ALTER TABLE "agencies" ADD COLUMN "logo_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "emails" ADD COLUMN "agency_id" uuid;--> statement-breakpoint
ALTER TABLE "emails" ADD CONSTRAINT "emails_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;
CREATE TABLE "landlords" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"billing_address" text
);
--> statement-breakpoint
ALTER TABLE "properties" ADD COLUMN "landlord_id" uuid;--> statement-breakpoint
ALTER TABLE "landlords" ADD CONSTRAINT "landlords_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "landlords_agency_id_email_index" ON "landlords" USING btree ("agency_id","email");--> statement-breakpoint
CREATE INDEX "landlords_agency_id_name_index" ON "landlords" USING btree ("agency_id","name");--> statement-breakpoint
ALTER TABLE "properties" ADD CONSTRAINT "properties_landlord_id_landlords_id_fk" FOREIGN KEY ("landlord_id") REFERENCES "public"."landlords"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "properties_landlord_id_index" ON "properties" USING btree ("landlord_id");
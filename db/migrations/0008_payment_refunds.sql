ALTER TABLE "payments" DROP CONSTRAINT "payment_positive";--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payment_nonzero" CHECK ("payments"."amount_pence" <> 0);
CREATE TABLE "sign_in_attempts_by_email" (
	"email" text PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"window_start" bigint NOT NULL
);

-- Optional expiry of API tokens (null: never expires).
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" TIMESTAMP(3);

DROP INDEX `orders_run_slot`;--> statement-breakpoint
ALTER TABLE `orders` ADD `attempt` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_run_slot_attempt` ON `orders` (`run_id`,`slot`,`attempt`);
DROP INDEX `orders_run_slot_attempt`;--> statement-breakpoint
ALTER TABLE `orders` ADD `leg_no` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_run_leg_slot_attempt` ON `orders` (`run_id`,`leg_no`,`slot`,`attempt`);--> statement-breakpoint
ALTER TABLE `runs` ADD `leg_no` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `plan` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `levels` text;--> statement-breakpoint
ALTER TABLE `runs` ADD `reentry_at` integer;
ALTER TABLE `backstops` ADD `target_price` real;--> statement-breakpoint
ALTER TABLE `backstops` ADD `target_limit_price` real;--> statement-breakpoint
ALTER TABLE `backstops` ADD `fired_leg` text;
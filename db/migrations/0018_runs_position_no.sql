DROP INDEX `runs_strategy_date`;--> statement-breakpoint
ALTER TABLE `runs` ADD `position_no` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `runs_strategy_date` ON `runs` (`strategy_id`,`trading_date`,`position_no`);
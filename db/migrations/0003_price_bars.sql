CREATE TABLE `price_bars` (
	`broker_account_id` integer NOT NULL,
	`exchange` text NOT NULL,
	`symbol` text NOT NULL,
	`minute` integer NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`ticks` integer NOT NULL,
	PRIMARY KEY(`broker_account_id`, `exchange`, `symbol`, `minute`),
	FOREIGN KEY (`broker_account_id`) REFERENCES `broker_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `price_bars_minute` ON `price_bars` (`minute`);
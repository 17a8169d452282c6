CREATE TABLE `historical_tick_days` (
	`exchange` text NOT NULL,
	`symbol` text NOT NULL,
	`day` text NOT NULL,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`ticks` integer NOT NULL,
	PRIMARY KEY(`exchange`, `symbol`, `day`)
);
--> statement-breakpoint
CREATE INDEX `historical_tick_days_start` ON `historical_tick_days` (`start`);--> statement-breakpoint
CREATE TABLE `historical_ticks` (
	`exchange` text NOT NULL,
	`symbol` text NOT NULL,
	`day` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	`price` real NOT NULL,
	`size` real NOT NULL,
	PRIMARY KEY(`exchange`, `symbol`, `day`, `seq`)
);

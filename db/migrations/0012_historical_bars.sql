CREATE TABLE `historical_bars` (
	`exchange` text NOT NULL,
	`symbol` text NOT NULL,
	`minute` integer NOT NULL,
	`open` real NOT NULL,
	`high` real NOT NULL,
	`low` real NOT NULL,
	`close` real NOT NULL,
	`volume` real NOT NULL,
	PRIMARY KEY(`exchange`, `symbol`, `minute`)
);
--> statement-breakpoint
CREATE INDEX `historical_bars_minute` ON `historical_bars` (`minute`);
CREATE TABLE `backstops` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`strategy_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`broker_account_id` integer NOT NULL,
	`leg_no` integer NOT NULL,
	`version` integer NOT NULL,
	`client_order_id` text NOT NULL,
	`broker_ref` text,
	`symbol` text NOT NULL,
	`exchange` text NOT NULL,
	`side` text NOT NULL,
	`qty` real NOT NULL,
	`trigger_price` real NOT NULL,
	`limit_price` real,
	`state` text NOT NULL,
	`next_trigger_price` real,
	`next_limit_price` real,
	`filled_qty` real DEFAULT 0 NOT NULL,
	`fill_price` real,
	`done` integer DEFAULT false NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `backstops_run_leg` ON `backstops` (`run_id`,`leg_no`);--> statement-breakpoint
CREATE UNIQUE INDEX `backstops_account_client_id` ON `backstops` (`broker_account_id`,`client_order_id`);--> statement-breakpoint
CREATE INDEX `backstops_state` ON `backstops` (`state`);
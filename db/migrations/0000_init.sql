CREATE TABLE `broker_accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`broker` text NOT NULL,
	`label` text NOT NULL,
	`status` text NOT NULL,
	`credentials_ciphertext` blob,
	`credentials_masked` text DEFAULT '{}' NOT NULL,
	`options` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `broker_accounts_user` ON `broker_accounts` (`user_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`strategy_id` integer,
	`run_id` integer,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_user_id` ON `events` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_strategy` ON `events` (`strategy_id`,`id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`strategy_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`broker_account_id` integer NOT NULL,
	`leg` text NOT NULL,
	`side` text NOT NULL,
	`slot` text NOT NULL,
	`client_order_id` text NOT NULL,
	`broker_order_id` text,
	`symbol` text NOT NULL,
	`exchange` text NOT NULL,
	`qty` real NOT NULL,
	`status` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`dispatched_at` integer,
	`acked_at` integer,
	`filled_at` integer,
	`filled_qty` real DEFAULT 0 NOT NULL,
	`fill_price` real,
	`reject_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_run_slot` ON `orders` (`run_id`,`slot`);--> statement-breakpoint
CREATE UNIQUE INDEX `orders_account_client_id` ON `orders` (`broker_account_id`,`client_order_id`);--> statement-breakpoint
CREATE INDEX `orders_user` ON `orders` (`user_id`);--> statement-breakpoint
CREATE INDEX `orders_strategy` ON `orders` (`strategy_id`);--> statement-breakpoint
CREATE INDEX `orders_open` ON `orders` (`status`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`strategy_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`trading_date` text NOT NULL,
	`state` text NOT NULL,
	`buy_at` integer NOT NULL,
	`sell_at` integer NOT NULL,
	`position_qty` real DEFAULT 0 NOT NULL,
	`entry_price` real,
	`exit_price` real,
	`exit_leg` text,
	`last_action` text,
	`last_action_at` integer,
	`reason` text,
	`stop_requested` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`strategy_id`) REFERENCES `strategies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `runs_strategy_date` ON `runs` (`strategy_id`,`trading_date`);--> statement-breakpoint
CREATE INDEX `runs_user` ON `runs` (`user_id`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `strategies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`broker_account_id` integer NOT NULL,
	`symbol` text NOT NULL,
	`exchange` text NOT NULL,
	`qty` real NOT NULL,
	`buy_time` text NOT NULL,
	`sell_time` text NOT NULL,
	`stop_loss` real NOT NULL,
	`timezone` text NOT NULL,
	`repeat` text NOT NULL,
	`buy_grace_ms` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`broker_account_id`) REFERENCES `broker_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `strategies_user` ON `strategies` (`user_id`);--> statement-breakpoint
CREATE INDEX `strategies_status` ON `strategies` (`status`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`token_version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);
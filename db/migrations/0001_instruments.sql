CREATE TABLE `instruments` (
	`broker_account_id` integer NOT NULL,
	`exchange` text NOT NULL,
	`symbol` text NOT NULL,
	`broker_ref` text NOT NULL,
	`tick_size` real NOT NULL,
	`resolved_at` integer NOT NULL,
	PRIMARY KEY(`broker_account_id`, `exchange`, `symbol`),
	FOREIGN KEY (`broker_account_id`) REFERENCES `broker_accounts`(`id`) ON UPDATE no action ON DELETE cascade
);

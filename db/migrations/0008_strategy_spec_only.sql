PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_strategies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`broker_account_id` integer NOT NULL,
	`symbol` text NOT NULL,
	`exchange` text NOT NULL,
	`spec` text NOT NULL,
	`spec_version` integer NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`broker_account_id`) REFERENCES `broker_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- Keep the id high-water mark: the rebuilt table would otherwise restart it at the largest id
-- left, and a deleted strategy's id (and with it its client order ids at the broker) be given again.
INSERT INTO `sqlite_sequence` (`name`, `seq`) SELECT '__new_strategies', `seq` FROM `sqlite_sequence` WHERE `name` = 'strategies';--> statement-breakpoint
-- A row without its spec (none since 0006) fails here, NOT NULL, and the whole upgrade with it: never dropped.
INSERT INTO `__new_strategies`("id", "user_id", "broker_account_id", "symbol", "exchange", "spec", "spec_version", "status", "created_at", "updated_at") SELECT "id", "user_id", "broker_account_id", "symbol", "exchange", "spec", "spec_version", "status", "created_at", "updated_at" FROM `strategies`;--> statement-breakpoint
DROP TABLE `strategies`;--> statement-breakpoint
ALTER TABLE `__new_strategies` RENAME TO `strategies`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `strategies_user` ON `strategies` (`user_id`);--> statement-breakpoint
CREATE INDEX `strategies_status` ON `strategies` (`status`);
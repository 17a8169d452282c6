ALTER TABLE `runs` ADD `reentry_cutoff_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `square_off_at` integer;
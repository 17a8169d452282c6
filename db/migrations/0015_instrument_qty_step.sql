ALTER TABLE `instruments` ADD `qty_step` real;--> statement-breakpoint
ALTER TABLE `instruments` ADD `min_qty` real;--> statement-breakpoint
ALTER TABLE `instruments` ADD `min_notional` real;
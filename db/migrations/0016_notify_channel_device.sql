ALTER TABLE `notify_channels` ADD `device_id` integer REFERENCES devices(id) ON DELETE cascade;--> statement-breakpoint
CREATE INDEX `notify_channels_device` ON `notify_channels` (`device_id`);
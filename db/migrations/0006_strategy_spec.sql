ALTER TABLE `strategies` ADD `spec` text;--> statement-breakpoint
ALTER TABLE `strategies` ADD `spec_version` integer;--> statement-breakpoint
-- Each v1 row as its spec, exactly as engine/core/strategy-spec.ts specFromV1 writes it (every later
-- key at the default that means what v1 did), less the keys kept as columns.
UPDATE `strategies` SET
  `spec` = json_object(
    'side', 'buy',
    'qty', `qty`,
    'buy_time', `buy_time`,
    'sell_time', `sell_time`,
    'timezone', `timezone`,
    'buy_grace_seconds', `buy_grace_ms` / 1000.0,
    'stop_loss', `stop_loss`,
    'stop_loss_mode', 'price',
    'target_mode', 'price',
    'trail_mode', 'points',
    'move_stop_to_cost_mode', 'points',
    'reentries', 0,
    'reentry_after', 'stop_loss',
    'repeat', `repeat`
  ),
  `spec_version` = 2;--> statement-breakpoint
-- A run under way keeps its own copy of what it trades by (engine/core/run-plan-spec.ts runPlanOf):
-- from now on it reads that, never the strategy row, which an edit or damage may change.
UPDATE `runs` SET `plan` = (
  SELECT json_object(
    'broker_account_id', s.`broker_account_id`,
    'symbol', s.`symbol`,
    'exchange', s.`exchange`,
    'side', 'buy',
    'qty', s.`qty`,
    'buy_grace_seconds', s.`buy_grace_ms` / 1000.0,
    'stop_loss', s.`stop_loss`,
    'stop_loss_mode', 'price',
    'target_mode', 'price',
    'trail_mode', 'points',
    'move_stop_to_cost_mode', 'points',
    'reentries', 0,
    'reentry_after', 'stop_loss'
  )
  FROM `strategies` s WHERE s.`id` = `runs`.`strategy_id`
)
WHERE `plan` IS NULL AND `state` NOT IN ('SOLD', 'EXITED_BY_SL', 'MISSED_BUY', 'SKIPPED', 'STOPPED');

/**
 * The slice of the engine's API contract the renderer uses, as types only. Everything here is
 * re-exported or derived from engine/api so a change there breaks this build, not the user.
 */
import type {
  ApiErrorBody,
  BacktestBody,
  BacktestDto,
  BacktestGridBody,
  BacktestGridCellDto,
  BacktestGridDto,
  BacktestTradeDto,
  BrokerAccountDto,
  BrokerKindDto,
  BrokerKindsDto,
  BrokerLoginStartDto,
  BrokerSessionBody,
  BrokerSessionResultDto,
  ConnectBrokerBody,
  CreateStrategyBody,
  EventPage,
  HealthDto,
  InstrumentFactsDto,
  InstrumentMatchDto,
  InstrumentSearchDto,
  LoggedEventDto,
  LoginBody,
  NotifyChannelBodyDto,
  NotifyChannelDto,
  NotifyChannelPatchDto,
  NotifyChannelsDto,
  NotifyDeliveriesDto,
  NotifyTestResultDto,
  OrderDto,
  PushKeyDto,
  PushSubscriptionBodyDto,
  PushUnsubscribeBodyDto,
  ChangePasswordBody,
  PasswordChangedDto,
  RemovalBlockerDto,
  SignedInSessionDto,
  SignedInSessionsDto,
  SignedOutDto,
  DeviceDto,
  DevicesDto,
  PairBodyDto,
  PairedDto,
  PairingCodeDto,
  RegisterBody,
  RegistrationDto,
  RuntimeDto,
  RunHistoryDto,
  RunHistoryPage,
  DayPnlDto,
  PriceBarDto,
  PriceBarsDto,
  QuoteDto,
  SessionDto,
  StartStrategyBody,
  StopAllBody,
  StopStrategyBody,
  StrategyDto,
  DamagedStrategyDto,
  StrategyFormDto,
  StrategyFormFieldDto,
  StrategyFormItemFieldDto,
  PositionDto,
  OptionContractDto,
  UserDto,
  LevelsDto,
  BackstopDto,
  ReadinessDto,
  InstallSettingsDto,
  InstallSettingsBody,
  HelloDto,
  TickDto,
  WireEvent,
  ServerMessage,
} from '../../../engine/api';

export type {
  ApiErrorBody,
  BacktestBody,
  BacktestDto,
  BacktestGridBody,
  BacktestGridCellDto,
  BacktestGridDto,
  BacktestTradeDto,
  BrokerAccountDto,
  BrokerKindDto,
  BrokerLoginStartDto,
  BrokerSessionResultDto,
  EventPage,
  HealthDto,
  InstrumentFactsDto,
  InstrumentMatchDto,
  LoggedEventDto,
  OrderDto,
  PasswordChangedDto,
  QuoteDto,
  RemovalBlockerDto,
  SignedInSessionDto,
  RegistrationDto,
  RuntimeDto,
  RunHistoryDto,
  RunHistoryPage,
  DayPnlDto,
  PriceBarDto,
  SessionDto,
  StrategyDto,
  DamagedStrategyDto,
  StrategyFormDto,
  StrategyFormFieldDto,
  StrategyFormItemFieldDto,
  PositionDto,
  OptionContractDto,
  UserDto,
  LevelsDto,
  BackstopDto,
  ReadinessDto,
  InstallSettingsDto,
};

export type RunState = RuntimeDto['state'];
/** Why an order exists (OrderDto.leg, RuntimeDto.exit_leg carry it as text). */
export type { Leg } from '../../../engine/core/types';
export type { ChannelKindDto, FormChannelKindDto, NotifyChannelBodyDto, NotifyChannelDto, NotifyDeliveryDto, NotifyTopicDto } from '../../../engine/api';
export type { DeviceDto, PairingCodeDto } from '../../../engine/api';
export type FieldError = NonNullable<ApiErrorBody['error']['fields']>[number];
export type Exchange = NonNullable<CreateStrategyBody['exchange']>;
export type FeedState = NonNullable<BrokerAccountDto['feed_state']>;
export type BrokerSession = NonNullable<BrokerAccountDto['session']>;

/**
 * A strategy body as the form sends it. Fields the trader typed but that do not parse as numbers
 * go as the text typed, so the API (the one validator) names them; nothing is checked here.
 */
export type StrategyFormBody = { [K in keyof CreateStrategyBody]?: CreateStrategyBody[K] | string };

/** A backtest as the panel sends it: a number typed that is no number goes as typed, for the API to name. */
export type BacktestFormBody = Omit<BacktestBody, 'slippage_bps' | 'lot_size'> & { slippage_bps?: number | string; lot_size?: number | string };
type GridWindowFormBody = Omit<BacktestGridBody['buy'], 'every_minutes'> & { every_minutes?: number | string };
export type BacktestGridFormBody = Omit<BacktestGridBody, 'slippage_bps' | 'lot_size' | 'buy' | 'sell'> & { slippage_bps?: number | string; lot_size?: number | string; buy: GridWindowFormBody; sell: GridWindowFormBody };

/** A change of the install's settings as the form sends it: what was typed that is not a number goes as typed, for the API to name. */
export type InstallSettingsFormBody = { [K in keyof InstallSettingsBody]?: number | string };

export interface StopAllResult {
  readonly stopped: number[];
}

/**
 * Every call the renderer makes: `'METHOD /path'` → request body and response. Paths with an id
 * use `:id` here and are filled in by the caller.
 */
export interface ApiRoutes {
  'GET /auth/registration': { body: undefined; res: RegistrationDto };
  'POST /auth/register': { body: RegisterBody; res: SessionDto };
  'POST /auth/login': { body: LoginBody; res: SessionDto };
  'GET /auth/validate': { body: undefined; res: { valid: true; user: UserDto } };
  'POST /auth/logout': { body: undefined; res: null };
  'POST /auth/password': { body: ChangePasswordBody; res: PasswordChangedDto };
  'GET /auth/sessions': { body: undefined; res: SignedInSessionsDto };
  'DELETE /auth/sessions/:id': { body: undefined; res: null };
  'POST /auth/sessions/sign-out-others': { body: Record<string, never>; res: SignedOutDto };
  'GET /broker': { body: undefined; res: { accounts: BrokerAccountDto[] } };
  'GET /broker/kinds': { body: undefined; res: BrokerKindsDto };
  'GET /broker/:id': { body: undefined; res: BrokerAccountDto };
  'POST /broker/connect': { body: ConnectBrokerBody; res: BrokerAccountDto };
  'POST /broker/:id/login': { body: Record<string, never>; res: BrokerLoginStartDto };
  'POST /broker/:id/session': { body: BrokerSessionBody; res: BrokerSessionResultDto };
  'DELETE /broker/:id': { body: undefined; res: null };
  'GET /broker/:id/instruments': { body: undefined; res: InstrumentSearchDto };
  'GET /broker/:id/quote': { body: undefined; res: QuoteDto };
  'GET /strategy': { body: undefined; res: { strategies: StrategyDto[]; damaged: DamagedStrategyDto[] } };
  'GET /strategy/form': { body: undefined; res: StrategyFormDto };
  'GET /strategy/:id': { body: undefined; res: StrategyDto };
  'POST /strategy/create': { body: StrategyFormBody; res: StrategyDto };
  'PATCH /strategy/:id': { body: StrategyFormBody; res: StrategyDto };
  'DELETE /strategy/:id': { body: undefined; res: null };
  'GET /strategy/:id/orders': { body: undefined; res: { orders: OrderDto[] } };
  'POST /strategy/start': { body: StartStrategyBody; res: StrategyDto };
  'POST /strategy/stop': { body: StopStrategyBody; res: StrategyDto | DamagedStrategyDto };
  'POST /strategy/stop-all': { body: StopAllBody; res: StopAllResult };
  'GET /events/log': { body: undefined; res: EventPage };
  'GET /runs': { body: undefined; res: RunHistoryPage };
  'GET /strategy/:id/bars': { body: undefined; res: PriceBarsDto };
  'GET /strategy/:id/readiness': { body: undefined; res: { readiness: ReadinessDto | null } };
  'POST /strategy/:id/readiness': { body: undefined; res: ReadinessDto };
  'POST /backtest': { body: BacktestFormBody; res: BacktestDto };
  'POST /backtest/grid': { body: BacktestGridFormBody; res: BacktestGridDto };
  'GET /install-settings': { body: undefined; res: InstallSettingsDto };
  'PATCH /install-settings': { body: InstallSettingsFormBody; res: InstallSettingsDto };
  'GET /health': { body: undefined; res: HealthDto };
  'GET /notify/channels': { body: undefined; res: NotifyChannelsDto };
  'POST /notify/channels': { body: NotifyChannelBodyDto; res: NotifyChannelDto };
  'PATCH /notify/channels/:id': { body: NotifyChannelPatchDto; res: NotifyChannelDto };
  'DELETE /notify/channels/:id': { body: undefined; res: null };
  'POST /notify/channels/:id/test': { body: Record<string, never>; res: NotifyTestResultDto };
  'GET /notify/channels/:id/deliveries': { body: undefined; res: NotifyDeliveriesDto };
  'GET /notify/push/key': { body: undefined; res: PushKeyDto };
  'POST /notify/push/subscriptions': { body: PushSubscriptionBodyDto; res: NotifyChannelDto };
  'DELETE /notify/push/subscriptions': { body: PushUnsubscribeBodyDto; res: null };
  'GET /devices': { body: undefined; res: DevicesDto };
  'POST /devices/pairing-code': { body: Record<string, never>; res: PairingCodeDto };
  'POST /devices/pair': { body: PairBodyDto; res: PairedDto };
  'PATCH /devices/:id': { body: { name: string }; res: DeviceDto };
  'DELETE /devices/:id': { body: undefined; res: null };
}

export type RouteKey = keyof ApiRoutes;

/** Routes that answer text, not JSON (a CSV export): read with `apiText`. */
export interface TextRoutes {
  'GET /strategy/:id/backtest.csv': { query: { from: string; to: string; slippage_bps?: number; fees?: 'default' | 'none'; lot_size?: number } };
}

export type TextRouteKey = keyof TextRoutes;

// ---- The /events WebSocket --------------------------------------------------------------


export type WireEventType = WireEvent['type'];
export type WireEventOf<T extends WireEventType> = Extract<WireEvent, { type: T }>;

export type HelloMessage = HelloDto;
export type TickMessage = TickDto;
export type { ServerMessage, WireEvent };

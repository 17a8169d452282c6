/**
 * The install's settings (signed in): GET /install-settings reads the ones in effect, PATCH /install-settings
 * changes one or both, validated (install-settings.ts names the field and its range) and applied
 * at once. One set per install: on an install shared by several traders, any of them sets it.
 */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api-context';
import { signedIn } from '../authenticate';
import type { InstallSettingsDto } from '../contract';
import { parse } from '../schemas';
import { INSTALL_SETTING_RULES, installSettingsPatch, type InstallSettingValues } from '../../settings/install-settings';

export function settingsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { engine } = ctx.deps;

  signedIn(app, ctx.auth, (scope) => {
    scope.get('/install-settings', async (): Promise<InstallSettingsDto> => settingsDto(engine.settings.values()));

    scope.patch('/install-settings', async (request): Promise<InstallSettingsDto> => settingsDto(engine.settings.update(parse(installSettingsPatch, request.body))));
  });
}

function settingsDto(values: Readonly<InstallSettingValues>): InstallSettingsDto {
  return { readiness_lead_minutes: values.readiness_lead_minutes, stale_price_seconds: values.stale_price_seconds, rules: INSTALL_SETTING_RULES };
}

import { describe, expect, it } from 'vitest';
import { channelBody } from './notify-fields';

describe('channelBody', () => {
  it("splits each kind's inputs into config and secret, typed as the API reads them", () => {
    expect(channelBody('telegram', 'Phone', ['fills'], { bot_token: ' 123:abc ', chat_ids: '42, -100200', commands: true })).toEqual({
      kind: 'telegram',
      label: 'Phone',
      topics: ['fills'],
      config: { chat_ids: [42, -100200], commands: true },
      secret: { bot_token: ' 123:abc ' },
    });
    expect(channelBody('email', 'Mail', [], { host: ' smtp.example.com ', port: '587', security: 'starttls', to: 'a@x.com,, b@x.com', username: '' })).toMatchObject({
      config: { host: 'smtp.example.com', port: 587, security: 'starttls', to: ['a@x.com', 'b@x.com'] },
      secret: {},
    });
    // A webhook's URL holds its key (Slack, Discord, Teams): it goes with the secret, never in config.
    expect(channelBody('webhook', 'Hook', [], { url: ' https://hooks.slack.com/services/T0/B0/x ', signing_secret: 'a-signing-secret-of-16+' })).toMatchObject({
      config: {},
      secret: { url: 'https://hooks.slack.com/services/T0/B0/x', signing_secret: 'a-signing-secret-of-16+' },
    });
  });
});

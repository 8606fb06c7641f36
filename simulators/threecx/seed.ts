import { seededRandom } from '../shared/seeded-random.ts';
import { createThreeCxState, userDefaults } from './state.ts';
import type { ThreeCxState } from './state.ts';

export interface ThreeCxSeedOptions {
  fqdn?: string;
  userCount?: number;
  seed?: number;
  clientId?: string;
  clientSecret?: string;
  adminUsername?: string;
  adminPassword?: string;
  /** 2FA code the admin must give; null = admin without 2FA. */
  adminSecurityCode?: string | null;
}

const FIRST = ['Oscar', 'Mia', 'Liam', 'Zoe', 'Noah', 'Ella', 'Ivan', 'Nora', 'Omar', 'Lea'];
const LAST = ['Berg', 'Costa', 'Novak', 'Silva', 'Meyer', 'Rossi', 'Dubois', 'Khan', 'Jansen', 'Moreau'];

export function seedThreeCx(options: ThreeCxSeedOptions = {}): ThreeCxState {
  const random = seededRandom(options.seed ?? 5);
  const state = createThreeCxState(options.fqdn);
  state.apiClients.push({ clientId: options.clientId ?? 'ucr-api', clientSecret: options.clientSecret ?? 'demo-3cx-secret' });
  state.admins.push({ username: options.adminUsername ?? 'admin', password: options.adminPassword ?? 'demo-3cx-admin', securityCode: options.adminSecurityCode === undefined ? null : options.adminSecurityCode });
  for (let index = 0; index < (options.userCount ?? 50); index += 1) {
    const first = random.pick(FIRST);
    const last = random.pick(LAST);
    const user = userDefaults(state.nextUserId(), String(100 + index));
    Object.assign(user, {
      FirstName: first,
      LastName: last,
      DisplayName: `${first} ${last}`,
      EmailAddress: `${first}.${last}${index}@contoso.example`.toLowerCase(),
      Mobile: random.chance(0.5) ? `+4479${random.int(10_000_000, 99_999_999)}` : '',
      OutboundCallerID: random.chance(0.6) ? `+44207946${String(1000 + index)}` : '',
      Require2FA: random.chance(0.2),
      Enabled: random.chance(0.9),
      VMEmailOptions: random.pick(['None', 'Notification', 'Attachment', 'AttachmentAndDelete'] as const),
    });
    state.users.push(user);
  }
  state.trunks.push(
    {
      Id: 1,
      Number: '10000',
      Gateway: { Id: 1, Name: 'Carrier One', Host: 'sip.carrier-one.example', Port: 5060, Type: 'Provider' },
      AuthID: 'c1-account',
      ExternalNumber: '+442079460000',
      SimultaneousCalls: 30,
      Direction: 'Both',
      IsOnline: true,
      DidNumbers: Array.from({ length: 20 }, (_, i) => `+44207946${String(1000 + i)}`),
    },
    {
      Id: 2,
      Number: '10001',
      Gateway: { Id: 2, Name: 'Carrier Two', Host: 'sip.carrier-two.example', Port: 5061, Type: 'Provider' },
      AuthID: 'c2-account',
      ExternalNumber: '+13125550100',
      SimultaneousCalls: 10,
      Direction: 'Both',
      IsOnline: false,
      DidNumbers: Array.from({ length: 10 }, (_, i) => `+1312555${String(2000 + i)}`),
    },
  );
  return state;
}

import { describe, expect, it } from 'vitest';
import { ConnectWiseError } from '../../src/connectors/connectwise/client.ts';
import { TeamsError } from '../../src/connectors/teams/errors.ts';
import { ThreeCxError } from '../../src/connectors/threecx/errors.ts';

/** An API error code names the system it came from, one prefix per system, so the UI, logs and scripts can tell them apart. */
describe('error codes of the external systems', () => {
  it('Teams errors answer as teams_<reason>, with the reason kept for the code that handles them', () => {
    const error = new TeamsError('not_licensed', 'The user has no Teams Phone licence.');
    expect(error.code).toBe('teams_not_licensed');
    expect(error.reason).toBe('not_licensed');
    expect(error.status).toBe(409);
    expect(new TeamsError('unavailable', 'Microsoft is not answering.').code).toBe('teams_unavailable');
  });

  it('3CX errors answer as threecx_<reason>', () => {
    const error = new ThreeCxError('validation', 'Extension number is already in use.');
    expect(error.code).toBe('threecx_validation');
    expect(error.reason).toBe('validation');
  });

  it('ConnectWise errors answer as connectwise_<reason>', () => {
    expect(new ConnectWiseError('Manage is down.', 503).code).toMatch(/^connectwise_/);
    expect(new ConnectWiseError('Refused.', 400, 'connectwise_refused').code).toBe('connectwise_refused');
  });
});

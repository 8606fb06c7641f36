import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions } from '../../../src/db/schema/index.ts';
import { declareIdentityJobs, HOUSEKEEPING_QUEUE, workIdentityJobs } from '../../../src/features/identity/jobs.ts';
import { startQueue, type JobQueue } from '../../../src/jobs/queue.ts';
import { sha256 } from '../../../src/features/identity/tokens.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('job queue on %s', (target) => {
  let t: TestApp;
  let queue: JobQueue;
  beforeAll(async () => {
    t = await startTestApp(target);
    queue = await startQueue(t.deps.database, t.deps.log, { runsSchedules: true });
    await declareIdentityJobs(queue);
    await workIdentityJobs(queue, t.deps, 0.5);
  });
  afterAll(async () => {
    await queue.stop({ graceful: false });
    await t.close();
  });

  it('the housekeeping job runs through the queue and deletes expired sessions only', async () => {
    const { operatorId } = await t.signedInAs('viewer');
    const now = new Date();
    const expired = sha256(randomBytes(8).toString('hex'));
    const live = sha256(randomBytes(8).toString('hex'));
    await t.deps.db.insert(sessions).values([
      { idHash: expired, operatorId, stage: 'full', expiresAt: new Date(now.getTime() - 1000), lastSeenAt: now },
      { idHash: live, operatorId, stage: 'full', expiresAt: new Date(now.getTime() + 3_600_000), lastSeenAt: now },
    ]);
    const jobId = await queue.send(HOUSEKEEPING_QUEUE, {});
    expect(jobId).toBeTruthy();
    let state: string | undefined;
    for (let i = 0; i < 100 && state !== 'completed' && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await queue.getJobById(HOUSEKEEPING_QUEUE, jobId!))?.state;
    }
    expect(state).toBe('completed');
    expect(await t.deps.db.select().from(sessions).where(eq(sessions.idHash, expired))).toHaveLength(0);
    expect(await t.deps.db.select().from(sessions).where(eq(sessions.idHash, live))).toHaveLength(1);
  });

  it('a schedule is registered for housekeeping', async () => {
    const schedules = await queue.getSchedules();
    expect(schedules.map((s) => s.name)).toContain(HOUSEKEEPING_QUEUE);
  });
});

import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useFocusFirstInvalid } from '../lib/focus.ts';
import { ErrorAlert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { ConnectionCheckResult, isConnectionCheck, type ConnectionCheck } from './ConnectionCheckResult.tsx';
import { Section } from './Section.tsx';

type Props<Check extends ConnectionCheck> = {
  title: string;
  id?: string;
  description: ReactNode;
  /** The test run in this page visit, if any: a mutation's state. */
  test: { data: Check | undefined; isPending: boolean; error: unknown; mutate: () => void };
  /** The last test the server stored with the connection, shown until this visit tests again. */
  lastTest: { at: string; result: unknown } | null | undefined;
  /** Shown when the operator may test (the button stays disabled until there is something to test). */
  testButton: { label: string; shown: boolean; enabled: boolean };
  /** What is said while the test runs, and the verdict lines of its result. */
  texts: { testing: string; ok: string; fail: string };
  testIds: { result: string; step?: string };
  /** The edit buttons, next to the test button. */
  actions?: ReactNode;
  /** The summary and the edit forms. */
  children: ReactNode;
  /** Under the test result: what depends on it (the Teams permissions, the 3CX 2FA prompt). */
  footer?: (check: Check | null) => ReactNode;
};

/** One tenant connection to an external system: header with test and edit buttons, its summary or form, and the last test result. */
export function ConnectionCard<Check extends ConnectionCheck>({ title, id, description, test, lastTest, testButton, texts, testIds, actions, children, footer }: Props<Check>) {
  const check = test.data ?? (lastTest && isConnectionCheck<Check>(lastTest.result) ? lastTest.result : null);
  const checkedAt = test.data ? undefined : lastTest?.at;
  return (
    <Section
      title={title}
      {...(id ? { id } : {})}
      description={description}
      actions={
        <div className="flex gap-2">
          {testButton.shown ? (
            <Button variant="primary" onClick={() => test.mutate()} busy={test.isPending} disabled={!testButton.enabled}>
              {testButton.label}
            </Button>
          ) : null}
          {actions}
        </div>
      }
    >
      <div className="space-y-5">
        {children}
        <ErrorAlert error={test.error} />
        {test.isPending ? (
          <p role="status" className="text-sm text-zinc-600">
            {texts.testing}
          </p>
        ) : check ? (
          <ConnectionCheckResult check={check} at={checkedAt} okText={texts.ok} failText={texts.fail} testId={testIds.result} stepTestId={testIds.step} />
        ) : null}
        {footer ? footer(check) : null}
      </div>
    </Section>
  );
}

/** The foot of a connection's edit form: what the server refused, then Cancel and Save. */
export function ConnectionFormActions({ error, busy, onCancel, saveLabel = 'Save' }: { error: unknown; busy: boolean; onCancel?: () => void; saveLabel?: string }) {
  return (
    <>
      <ErrorAlert error={error} fieldsShown />
      <div className="flex justify-end gap-2">
        {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        <Button type="submit" variant="primary" busy={busy}>
          {saveLabel}
        </Button>
      </div>
    </>
  );
}

/**
 * A connection's edit form: `check` names what is missing before anything is sent (field →
 * message); only a form without problems is submitted. The first field in error gets focus,
 * whether the problem was found here or by the server.
 */
export function useConnectionForm(check: () => Record<string, string>, submit: () => void, serverError: unknown) {
  const formRef = useRef<HTMLFormElement>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  useFocusFirstInvalid(formRef, serverError ?? (Object.keys(problems).length ? problems : null));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = check();
    setProblems(found);
    if (Object.keys(found).length === 0) submit();
  };
  return { formRef, problems, onSubmit };
}

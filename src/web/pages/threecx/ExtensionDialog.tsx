import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { inventoryKeys } from '../../api/inventory.ts';
import { threeCxApi, threeCxKeys, type ExtensionDto } from '../../api/threecx.ts';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { CheckboxField, SelectField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { DidPicker, type DidPick } from './DidPicker.tsx';
import { ThreeCxError } from './TwoFactorPrompt.tsx';
import { ThreeCxTicketField, useThreeCxTicket } from './ThreeCxTicketField.tsx';

const empty = { number: '', firstName: '', lastName: '', email: '', mobile: '', outboundCallerId: '', voicemailEmail: 'Notification' as ExtensionDto['voicemailEmail'], enabled: true, require2fa: false };

/** Create or edit an extension (E1), with a DID from the inventory and an optional ticket. */
export function ExtensionDialog({ tenantId, extension, open, onClose }: { tenantId: string; extension: ExtensionDto | null; open: boolean; onClose: (saved?: ExtensionDto) => void }) {
  return (
    <Dialog open={open} onClose={() => onClose()} title={extension ? `Edit extension ${extension.number}` : 'New extension'} wide>
      <ExtensionForm tenantId={tenantId} extension={extension} onClose={onClose} />
    </Dialog>
  );
}

function ExtensionForm({ tenantId, extension, onClose }: { tenantId: string; extension: ExtensionDto | null; onClose: (saved?: ExtensionDto) => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState(extension ? { number: extension.number, firstName: extension.firstName, lastName: extension.lastName, email: extension.email, mobile: extension.mobile, outboundCallerId: extension.outboundCallerId, voicemailEmail: extension.voicemailEmail, enabled: extension.enabled, require2fa: extension.require2fa } : empty);
  const [did, setDid] = useState<DidPick>(extension?.did ? { kind: 'keep' } : { kind: 'none' });
  const ticket = useThreeCxTicket();
  const save = useMutation({
    mutationFn: () => {
      const didChoice = did.kind === 'number' ? { did: { numberId: did.numberId } } : did.kind === 'none' && (!extension || extension.did) ? { did: null } : {};
      const callerId = did.kind === 'number' || (did.kind === 'keep' && extension?.did) ? {} : { outboundCallerId: form.outboundCallerId.trim() };
      const body = { ...form, ...callerId, number: form.number.trim(), ...didChoice, ...ticket.body };
      if (!extension) return threeCxApi.createExtension(tenantId, body);
      // Only what changed goes to 3CX.
      const changed = Object.fromEntries(Object.entries(body).filter(([k, v]) => k === 'did' || k === 'ticketId' || k === 'ticketLog' || (extension as Record<string, unknown>)[k] !== v));
      return threeCxApi.updateExtension(tenantId, extension.id, changed);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenantId) });
      onClose(saved);
    },
  });
  const set = (key: 'number' | 'firstName' | 'lastName' | 'email' | 'mobile' | 'outboundCallerId') => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const err = save.error;
  const callerIdFromDid = did.kind === 'number' || (did.kind === 'keep' && Boolean(extension?.did));
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Extension">
      <div className="grid gap-3 sm:grid-cols-2">
        {/* 3CX does not allow changing an extension's number, so it is shown read-only when editing. */}
        <TextField
          label="Extension number"
          name="number"
          inputMode="numeric"
          required
          value={form.number}
          onChange={set('number')}
          readOnly={Boolean(extension)}
          hint={extension ? '3CX cannot change an extension number: use Renumber in the list instead.' : undefined}
          error={fieldError(err, 'number', { threecx_extension_taken: 'number' })}
          {...(extension ? {} : { 'data-autofocus': true })}
        />
        <TextField label="Email" name="email" type="email" value={form.email} onChange={set('email')} error={fieldError(err, 'email')} />
        <TextField label="First name" name="firstName" value={form.firstName} onChange={set('firstName')} error={fieldError(err, 'firstName')} />
        <TextField label="Last name" name="lastName" value={form.lastName} onChange={set('lastName')} error={fieldError(err, 'lastName')} />
        <TextField label="Mobile" name="mobile" value={form.mobile} onChange={set('mobile')} error={fieldError(err, 'mobile')} />
        <TextField
          label="Outbound caller id"
          name="outboundCallerId"
          value={callerIdFromDid ? (did.kind === 'number' ? did.e164 : (extension?.did?.e164 ?? '')) : form.outboundCallerId}
          disabled={callerIdFromDid}
          hint={callerIdFromDid ? 'Set by the DID.' : undefined}
          onChange={set('outboundCallerId')}
          error={fieldError(err, 'outboundCallerId')}
        />
        <SelectField label="Voicemail by email" name="voicemailEmail" value={form.voicemailEmail} onChange={(e) => setForm({ ...form, voicemailEmail: e.target.value as ExtensionDto['voicemailEmail'] })}>
          <option value="None">No email</option>
          <option value="Notification">Notification</option>
          <option value="Attachment">With the recording attached</option>
          <option value="AttachmentAndDelete">Attached, then deleted from the PBX</option>
          <option value="VmailToMembers">Voicemail to the members</option>
          <option value="EmailToExtrasOnly">Email to the extra addresses only</option>
        </SelectField>
        <div className="space-y-2 pt-6">
          <CheckboxField label="Enabled" name="enabled" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} />
          <CheckboxField label="Require 2FA for the user" name="require2fa" checked={form.require2fa} onChange={(e) => setForm({ ...form, require2fa: e.target.checked })} />
        </div>
      </div>
      <DidPicker tenantId={tenantId} value={did} onChange={setDid} current={extension?.did?.e164 ?? null} />
      <ThreeCxTicketField {...ticket.field} error={fieldError(err, 'ticketId')} serverError={err} />
      <ThreeCxError tenantId={tenantId} error={err} />
      <div className="flex justify-end gap-2">
        <Button onClick={() => onClose()}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          {extension ? 'Save changes' : 'Create extension'}
        </Button>
      </div>
    </form>
  );
}

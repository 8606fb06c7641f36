import type { OperatorDto } from '../../api/types.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { EditOperatorForm } from './EditOperatorForm.tsx';
import { OperatorActions } from './OperatorActions.tsx';

export function ManageOperatorDialog({ operator, isSelf, onClose }: { operator: OperatorDto | undefined; isSelf: boolean; onClose: () => void }) {
  return (
    <Dialog open={operator !== undefined} onClose={onClose} title={operator ? operator.displayName : 'Operator'} description={operator?.email} wide>
      {operator ? (
        <div className="space-y-6">
          <EditOperatorForm key={operator.id} operator={operator} isSelf={isSelf} />
          <section aria-labelledby="operator-actions-heading" className="space-y-3 border-t border-zinc-200 pt-5">
            <h3 id="operator-actions-heading" className="text-sm font-semibold text-zinc-900">
              Account actions
            </h3>
            <OperatorActions operator={operator} />
          </section>
        </div>
      ) : null}
    </Dialog>
  );
}

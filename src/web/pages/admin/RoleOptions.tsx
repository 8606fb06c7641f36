export const roleDescriptions = {
  viewer: 'Viewer: reads everything in scope',
  operator: 'Operator: does voice, number, 3CX and ticket work',
  admin: 'Admin: everything, including operators and settings',
} as const;

export function RoleOptions() {
  return (
    <>
      <option value="viewer">{roleDescriptions.viewer}</option>
      <option value="operator">{roleDescriptions.operator}</option>
      <option value="admin">{roleDescriptions.admin}</option>
    </>
  );
}

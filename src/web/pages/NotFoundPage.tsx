import { Link } from '@tanstack/react-router';

export function NotFoundPage() {
  return (
    <div className="py-16 text-center">
      <h1 className="text-xl font-semibold text-zinc-900">Page not found</h1>
      <p className="mt-2 text-sm text-zinc-600">There is nothing at this address.</p>
      <Link to="/" className="mt-4 inline-block text-sm font-medium text-blue-700 underline">
        Go to the overview
      </Link>
    </div>
  );
}

export function AdminOnly() {
  return (
    <div className="py-16 text-center">
      <h1 className="text-xl font-semibold text-zinc-900">Admins only</h1>
      <p className="mt-2 text-sm text-zinc-600">This area needs the admin role. Ask an administrator if you need access.</p>
    </div>
  );
}

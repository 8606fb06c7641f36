import { Link, useRouterState } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { Role } from '../api/types.ts';

const activeClass = 'bg-white text-blue-800 shadow-xs ring-1 ring-zinc-200';
const linkClass = `flex items-center rounded-md px-2.5 py-1.5 text-sm font-medium text-zinc-700 hover:bg-zinc-200/60 hover:text-zinc-900 data-[status=active]:bg-white data-[status=active]:text-blue-800 data-[status=active]:shadow-xs data-[status=active]:ring-1 data-[status=active]:ring-zinc-200`;

/** A tenant's numbers and import belong to "Numbers"; its voice pages to "Voice"; the rest of a tenant to "Tenants". */
function useInventoryArea(): 'tenants' | 'numbers' | 'voice' | 'threecx' | null {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  if (pathname === '/numbers' || /^\/tenants\/[^/]+\/(numbers|import)\/?$/.test(pathname)) return 'numbers';
  if (pathname === '/voice' || /^\/tenants\/[^/]+\/(voice|voice-changes|voice-apps|policies|profiles|reconcile)\/?$/.test(pathname)) return 'voice';
  if (pathname === '/threecx' || /^\/tenants\/[^/]+\/threecx\/?$/.test(pathname)) return 'threecx';
  if (pathname === '/tenants' || pathname.startsWith('/tenants/')) return 'tenants';
  return null;
}

function Group({ label, children }: { label: string; children: ReactNode }) {
  const id = `nav-${label.toLowerCase()}`;
  return (
    <div className="space-y-1">
      <h2 id={id} className="px-2.5 text-xs font-semibold tracking-wide text-zinc-500 uppercase">
        {label}
      </h2>
      <ul aria-labelledby={id} className="space-y-0.5">
        {children}
      </ul>
    </div>
  );
}

export function SideNav({ role }: { role: Role }) {
  const admin = role === 'admin';
  const area = useInventoryArea();
  return (
    <nav aria-label="Main" className="w-56 shrink-0 space-y-6 border-r border-zinc-200 bg-zinc-100/70 px-3 py-5">
      <ul className="space-y-0.5">
        <li>
          <Link to="/" className={linkClass} activeOptions={{ exact: true }}>
            Overview
          </Link>
        </li>
      </ul>
      <Group label="Work">
        <li>
          <Link to="/tenants" activeOptions={{ exact: true }} className={`${linkClass} ${area === 'tenants' ? activeClass : ''}`} aria-current={area === 'tenants' ? 'page' : undefined}>
            Tenants
          </Link>
        </li>
        <li>
          <Link to="/numbers" activeOptions={{ exact: true }} className={`${linkClass} ${area === 'numbers' ? activeClass : ''}`} aria-current={area === 'numbers' ? 'page' : undefined}>
            Numbers
          </Link>
        </li>
        <li>
          <Link to="/voice" activeOptions={{ exact: true }} className={`${linkClass} ${area === 'voice' ? activeClass : ''}`} aria-current={area === 'voice' ? 'page' : undefined}>
            Voice
          </Link>
        </li>
        <li>
          <Link to="/threecx" activeOptions={{ exact: true }} className={`${linkClass} ${area === 'threecx' ? activeClass : ''}`} aria-current={area === 'threecx' ? 'page' : undefined}>
            3CX
          </Link>
        </li>
        <li>
          <Link to="/reports" className={linkClass}>
            Reports
          </Link>
        </li>
        <li>
          <Link to="/scheduled" className={linkClass}>
            Scheduled
          </Link>
        </li>
        <li>
          <Link to="/audit" className={linkClass}>
            Audit
          </Link>
        </li>
      </Group>
      {admin ? (
        <Group label="Admin">
          <li>
            <Link to="/admin/operators" className={linkClass}>
              Operators
            </Link>
          </li>
          <li>
            <Link to="/admin/settings" className={linkClass}>
              Settings
            </Link>
          </li>
        </Group>
      ) : null}
      <Group label="You">
        <li>
          <Link to="/profile" className={linkClass}>
            Profile
          </Link>
        </li>
      </Group>
    </nav>
  );
}

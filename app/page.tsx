import { events } from "@/lib/events";

export const dynamic = "force-dynamic";

export default function RegistryPage() {
  const declarations = events.snapshot();
  return (
    <main className="mx-auto max-w-5xl p-8">
      <h1 className="text-2xl font-semibold">Webfluid Events</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Declared events and queries of this process.</p>
      <table className="mt-6 w-full text-left text-sm">
        <thead>
          <tr className="border-b border-slate-200 dark:border-slate-800">
            <th className="py-2">Name</th>
            <th>Kind</th>
            <th>Visibility</th>
            <th>Singleton</th>
            <th>Handlers</th>
            <th>Count</th>
          </tr>
        </thead>
        <tbody>
          {declarations.map((declaration) => (
            <tr key={declaration.name} className="border-b border-slate-100 dark:border-slate-900" data-name={declaration.name}>
              <td className="py-2 font-mono">{declaration.name}</td>
              <td>{declaration.kind}</td>
              <td>{declaration.internal ? "internal" : "public"}</td>
              <td>{declaration.singleton ? "yes" : "no"}</td>
              <td>{declaration.handlers}</td>
              <td>{declaration.counters.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}

import { PageHeading } from '../components/page-heading.js';
import { links } from '../router.js';

export function NotFoundPage({ path }: { path: string }) {
  return (
    <section>
      <PageHeading title="Page not found" />
      <p>
        There is no page at <code>{path}</code>. <a href={links.tenants}>Go to the tenants</a>.
      </p>
    </section>
  );
}

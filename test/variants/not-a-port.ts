/** test/variants/not-a-port.ts — a variant whose parent choice returns a port with no link. */
import { defineVariant } from '../../router/variant.ts';

export default defineVariant({
  parent: (input, base) => (base(input) === -1 ? -1 : 9999),
});

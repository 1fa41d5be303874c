/**
 * test/property-size.ts — loaded before every unit test file (`npm test`, `--import`): property
 * tests draw values of fast-check's "medium" size rather than its default "small".
 *
 * Why: the size bounds what fast-check generates whatever a test's maxLength says. At "small" an
 * array or byte string is at most about 10 long, so `fc.uint8Array({ maxLength: 400 })` in a
 * decoder's fuzz test never drew more than 10 bytes, and the scheduler's model test never built a
 * heap more than a few entries deep. At "medium" they run to 100 (or the test's maxLength, if
 * lower); the suite took as long as before. A test that needs longer asks for it (size: 'max').
 */
import fc from 'fast-check';

fc.configureGlobal({ baseSize: 'medium' });

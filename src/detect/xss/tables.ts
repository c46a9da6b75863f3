// Element, attribute, handler, call and sink names the scanners judge by.
/** Elements that execute or load active content just by being there. */
export const EXEC_TAGS = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'base',
  'vmlframe',
  'layer',
  'ilayer',
  'bgsound',
  'import',
  'isindex',
  'portal',
  'xss',
]);
/**
 * Elements that load style or refresh the page, or open a separate parsing world (SVG/MathML,
 * harmless alone: what runs there is a handler, a script child or a script URL, judged on its own).
 */
export const ACTIVE_TAGS: Record<string, number> = {
  svg: 0.45,
  math: 0.45,
  style: 0.75,
  link: 0.7,
  meta: 0.7,
  form: 0.55,
  template: 0.55,
};
/** Ordinary HTML elements: harmless alone, executable with a handler or a script URL. */
export const HTML_TAGS = new Set(
  (
    'a abbr address area article aside audio b bdi bdo blink blockquote body br button canvas caption ' +
    'center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em fieldset ' +
    'figcaption figure font footer h1 h2 h3 h4 h5 h6 head header hgroup hr html i image img input ins ' +
    'kbd keygen label legend li listing main map mark marquee menu meter nav nobr noembed noframes ' +
    'noscript ol optgroup option output p param picture plaintext pre progress q rp rt ruby s samp ' +
    'section select slot small source span strike strong sub summary sup table tbody td textarea tfoot ' +
    'th thead time title tr track tt u ul var video wbr xmp animate set animatetransform animatemotion ' +
    'foreignobject use handler listener'
  ).split(' '),
);
/** Raw-text / RCDATA elements whose closing tag leaves a template context. */
export const RAWTEXT_CLOSERS = new Set([
  'script',
  'textarea',
  'title',
  'style',
  'noscript',
  'xmp',
  'iframe',
  'noembed',
  'noframes',
  'template',
  'comment',
  'plaintext',
]);
export const URL_ATTRS = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'data',
  'background',
  'dynsrc',
  'lowsrc',
  'poster',
  'codebase',
  'code',
  'value',
  'xlink:href',
  'srcset',
  'cite',
  'longdesc',
  'content',
  'to',
  'from',
  'values',
  'by',
  'ping',
  'manifest',
  'archive',
  'icon',
]);
/** Event handler names common enough to trust outside a tag (`" onmouseover=`). */
export const HANDLERS = new Set(
  (
    'abort afterprint animationend animationiteration animationstart auxclick beforeprint beforeunload ' +
    'beforeinput blur canplay canplaythrough change click close contextmenu copy cuechange cut dblclick ' +
    'drag dragend dragenter dragleave dragover dragstart drop durationchange emptied end ended error ' +
    'filterchange focus focusin focusout formdata hashchange input invalid keydown keypress keyup load ' +
    'loadeddata loadedmetadata loadstart message mousedown mouseenter mouseleave mousemove mouseout ' +
    'mouseover mouseup mousewheel offline online pagehide pageshow paste pause play playing pointerdown ' +
    'pointerenter pointerleave pointermove pointerout pointerover pointerup popstate progress ratechange ' +
    'readystatechange reset resize scroll search seeked seeking select selectstart show stalled storage ' +
    'submit suspend timeupdate toggle touchend touchmove touchstart transitionend unload volumechange ' +
    'waiting wheel begin repeat activate beforeactivate beforecopy beforecut beforedeactivate ' +
    'beforeeditfocus beforepaste bounce finish start zoom propertychange webkitanimationend ' +
    'webkittransitionend pointerrawupdate scrollend securitypolicyviolation slotchange'
  ).split(' '),
);
/** A known handler, or a vendor-prefixed one (`onwebkit…`, `onmoz…`, `onms…`): new ones appear every year. */
export function knownHandler(name: string): boolean {
  if (HANDLERS.has(name)) return true;
  return (
    name.length >= 8 &&
    name.length <= 48 &&
    (name.startsWith('webkit') || name.startsWith('moz') || name.startsWith('ms'))
  );
}

/** Functions that evaluate code or are the classic proof of execution. */
export const JS_CALLS = [
  'alert',
  'prompt',
  'confirm',
  'eval',
  'settimeout',
  'setinterval',
  'execscript',
  'msgbox',
  'fromcharcode',
  'globaleval',
  'setimmediate',
  'atob',
  'btoa',
];
/** DOM sinks and sources that scripts injected for XSS touch. */
export const DOM_SINKS = [
  'document.cookie',
  'document.domain',
  'document.write',
  'document.location',
  'document.body',
  'document.createelement',
  'document.queryselector',
  'document.getelementby',
  'window.location',
  'window.name',
  'location.href',
  'location.hash',
  'location.search',
  '.innerhtml',
  '.outerhtml',
  '.insertadjacenthtml',
  'localstorage.',
  'sessionstorage.',
  'constructor.constructor',
  'new function',
  'top.location',
  'parent.location',
  'self.location',
];
export const EXEC_SCHEMES = ['javascript:', 'vbscript:', 'livescript:', 'mocha:'];
export const DATA_SCHEMES = [
  'data:text/html',
  'data:image/svg',
  'data:application/x',
  'data:text/xml',
  'data:text/javascript',
  'data:application/javascript',
];
export const REMOTE_ATTRS = new Set(['href', 'src', 'background', 'poster', 'action', 'formaction', 'data']);
export const REMOTE_TAGS = new Set([
  'a',
  'img',
  'image',
  'video',
  'audio',
  'source',
  'input',
  'form',
  'table',
  'td',
  'body',
  'area',
]);
/** Elements whose name is worth spelling out to slip past a filter (`<f o r m`, `< x: script`). */
export const PROBED_TAGS = new Set([
  ...EXEC_TAGS,
  ...Object.keys(ACTIVE_TAGS),
  'dialog',
  'details',
  'marquee',
  'img',
  'image',
  'input',
  'body',
  'video',
  'audio',
  'button',
  'textarea',
  'select',
  'isindex',
  'animate',
]);

/** Names that are not also words of prose or code (`x < base`, `a < object`): `< script`, `<%00iframe`. */
export const SPACED_NAMES = new Set([
  'script',
  'iframe',
  'frameset',
  'applet',
  'vmlframe',
  'bgsound',
  'isindex',
]);
/** Directives a server-side-include processor runs (`<!--#exec cmd=…-->`). */
export const SSI_DIRECTIVES = ['exec', 'include', 'echo', 'set', 'config', 'printenv', 'fsize', 'flastmod'];
export const BRACKET_NAMES = [
  'alert',
  'prompt',
  'confirm',
  'eval',
  'cookie',
  'document',
  'location',
  'innerhtml',
  'fromcharcode',
  'constructor',
  '$',
  '\\x24',
  'globaleval',
  'write',
];

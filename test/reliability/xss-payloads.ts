/**
 * The XSS corpus of the reliability suite (test/reliability/xss.test.ts): classics from the
 * OWASP XSS filter-evasion cheat sheet, mutation-XSS shapes, Markdown link and image tricks,
 * autolinks, HTML entities, unicode escapes and template shapes, written out here as data.
 *
 * Every payload that ever runs calls `__xss('<id>')` (directly, through `parent`/`top`, or
 * decoded from base64 or entities), so an execution names the payload that caused it. The
 * browser test defines `__xss` in every frame before any page script.
 */

export interface XssPayload {
  /** `x001`…: what `__xss` is called with. */
  id: string;
  family: 'html' | 'mxss' | 'markdown' | 'scheme' | 'handler' | 'encoding' | 'template';
  text: string;
}

/** `js` is the sentinel call; `b64` a base64 HTML document that calls it from its frame. */
type Shape = (js: string, b64: string, id: string) => string;

const entities = (s: string, hex: boolean): string => [...s].map((c) => (hex ? `&#x${c.charCodeAt(0).toString(16)};` : `&#${c.charCodeAt(0)};`)).join('');

/** OWASP cheat-sheet classics and their relatives: raw HTML that must stay text. */
const HTML: Shape[] = [
  (js) => `<script>${js}</script>`,
  (js) => `<SCRIPT SRC=data:text/javascript,${js}></SCRIPT>`,
  (js) => `<IMG SRC="javascript:${js};">`,
  (js) => `<IMG SRC=javascript:${js}>`,
  (js) => `<IMG SRC=JaVaScRiPt:${js}>`,
  (js) => `<IMG SRC=\`javascript:${js}\`>`,
  (js) => `<IMG """><SCRIPT>${js}</SCRIPT>">`,
  (js) => `<IMG SRC=# onmouseover="${js}">`,
  (js) => `<IMG SRC= onmouseover="${js}">`,
  (js) => `<IMG SRC=/ onerror="${js}"></img>`,
  (js) => `<IMG SRC="jav	ascript:${js};">`,
  (js) => `<IMG SRC="jav&#x09;ascript:${js};">`,
  (js) => `<IMG SRC="jav&#x0A;ascript:${js};">`,
  (js) => `<IMG SRC=" &#14;  javascript:${js};">`,
  (js) => `<SCRIPT/XSS SRC="data:,${js}"></SCRIPT>`,
  (js) => `<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^\`=${js}>`,
  (js) => `<<SCRIPT>${js};//\\<</SCRIPT>`,
  (js) => `<SCRIPT SRC=data:,${js}?< B >`,
  (js) => `</TITLE><SCRIPT>${js}</SCRIPT>`,
  (js) => `<INPUT TYPE="IMAGE" SRC="javascript:${js};">`,
  (js) => `<BODY BACKGROUND="javascript:${js}">`,
  (js) => `<IMG DYNSRC="javascript:${js}">`,
  (js) => `<STYLE>li {list-style-image: url("javascript:${js}");}</STYLE><UL><LI>XSS</br>`,
  (js) => `<BODY ONLOAD=${js}>`,
  (js) => `<iframe src="javascript:${js}"></iframe>`,
  (js) => `<iframe srcdoc="<script>parent.${js}</script>"></iframe>`,
  (_js, b64) => `<object data="data:text/html;base64,${b64}"></object>`,
  (_js, b64) => `<embed src="data:text/html;base64,${b64}">`,
  (js) => `<a href="javascript:${js}">open</a>`,
  (js) => `<a href="  javascript:${js}">open</a>`,
  (js) => `<a href=javascript&colon;${js}>open</a>`,
  (js) => `<form><button formaction=javascript:${js}>send</button></form>`,
  (js) => `<isindex action=javascript:${js} type=image>`,
  (js) => `<meta http-equiv="refresh" content="0;url=javascript:${js}">`,
  (_js, b64) => `<meta http-equiv="refresh" content="0;url=data:text/html;base64,${b64}">`,
  (js) => `<base href="javascript:${js}//">`,
  (_js, b64) => `<link rel=import href="data:text/html;base64,${b64}">`,
  (js) => `<div style="background-image:url(javascript:${js})">x</div>`,
  (js) => `<div style="width:expression(${js})">x</div>`,
  (js) => `<xss onmouseover=${js} style=display:block>hover</xss>`,
  (js) => `"><script>${js}</script>`,
  (js) => `'><img src=x onerror=${js}>`,
  (js) => `" onmouseover="${js}" x="`,
  (js) => `javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+${js}//'>`,
  (js) => `</script><script>${js}</script>`,
  (js) => `<!--<img src="--><img src=x onerror=${js}//">`,
  (js) => `<![CDATA[<script>${js}</script>]]>`,
  (js) => `<style>@import 'javascript:${js}';</style>`,
  (js) => `<table background="javascript:${js}"><tr><td>x</td></tr></table>`,
  (js) => `<scr<script>ipt>${js}</scr</script>ipt>`,
  (js) => `<img src=x onerror=${js}`,
  (js) => `<svg><a xlink:href="javascript:${js}"><text x=20 y=20>open</text></a></svg>`,
  (js) => `<svg><set attributeName=onmouseover to=${js}>`,
  (js) => `<object data="javascript:${js}"></object>`,
  (js) => `<img srcset=",,,,,x" onerror=${js}>`,
  (_js, _b64, id) => `<img src=x onerror=eval(atob('${Buffer.from(`__xss('${id}')`).toString('base64')}'))>`,
];

/** Mutation XSS: markup that a sanitizer and a browser parse differently. */
const MXSS: Shape[] = [
  (js) => `<svg><style><img src=x onerror=${js}>`,
  (js) => `<math><style><img src=x onerror=${js}>`,
  (js) => `<noscript><p title="</noscript><img src=x onerror=${js}>">`,
  (js) => `<math><mtext><table><mglyph><style><img src=x onerror=${js}>`,
  (js) => `<form><math><mtext></form><form><mglyph><style></math><img src onerror=${js}>`,
  (js) => `<svg></p><style><a id="</style><img src=1 onerror=${js}>">`,
  (js) => `<template><img src=x onerror=${js}></template>`,
  (js) => `<select><template><style><img src=x onerror=${js}>`,
  (js) => `<xmp><img src=x onerror=${js}></xmp>`,
  (js) => `<noembed><img title="</noembed><img src=x onerror=${js}>"></noembed>`,
  (js) => `<noframes><img title="</noframes><img src=x onerror=${js}>"></noframes>`,
  (js) => `<iframe><img title="</iframe><img src=x onerror=${js}>"></iframe>`,
  (js) => `<textarea><img title="</textarea><img src=x onerror=${js}>"></textarea>`,
  (js) => `<title><img title="</title><img src=x onerror=${js}>"></title>`,
  (js) => `<style><img title="</style><img src=x onerror=${js}>"></style>`,
  (js) => `<svg><![CDATA[><img src=x onerror=${js}>]]></svg>`,
  (js) => `<math><annotation-xml encoding="text/html"><style><img src=x onerror=${js}>`,
  (js) => `<svg><foreignObject><img src=x onerror=${js}></foreignObject></svg>`,
  (js) => `<table><td><img src=x onerror=${js}></table>`,
  (js) => `<a href="https://example.org/"><a href="javascript:${js}">nested</a></a>`,
];

/** Markdown's own ways to a link or an image, and raw HTML inside Markdown. */
const MARKDOWN: Shape[] = [
  (js) => `[open](javascript:${js})`,
  (js) => `[open](JaVaScRiPt:${js})`,
  (js) => `[open](javascript&#58;${js})`,
  (js) => `[open](javascript&colon;${js})`,
  (js) => `[open](&#106;avascript:${js})`,
  (js) => `[open](<javascript:${js}>)`,
  (js) => `[open](javascript://%0a${js})`,
  (_js, b64) => `[open](data:text/html;base64,${b64})`,
  (js) => `[open](DATA:text/html,<script>${js}</script>)`,
  (js) => `[open](vbscript:${js})`,
  (js) => `![x](x" onerror="${js})`,
  (js) => `![x](javascript:${js})`,
  (js) => `![x"onerror="${js}](x)`,
  (js) => `[open](x" onmouseover="${js})`,
  (js) => `[open](https://example.org" onmouseover="${js})`,
  (js) => `[open](#" onclick="${js})`,
  (js) => `<javascript:${js}>`,
  (_js, b64) => `<data:text/html;base64,${b64}>`,
  (js) => `<JAVASCRIPT:${js}>`,
  (js) => `[open][ref]\n\n[ref]: javascript:${js}`,
  (_js, b64) => `[open][ref]\n\n[ref]: data:text/html;base64,${b64}`,
  (js) => `[<img src=x onerror=${js}>](https://example.org)`,
  (js) => `[open](https://example.org "t\\" onmouseover=\\"${js}")`,
  (js) => `**<img src=x onerror=${js}>**`,
  (js) => `\`<img src=x onerror=${js}>\``,
  (js) => `\`\`\`\n</code><img src=x onerror=${js}>\n\`\`\``,
  (js) => `> <script>${js}</script>`,
  (js) => `- [open](javascript:${js})`,
  (js) => `# <svg onload=${js}>`,
  (js) => `[open](javascript:${js} "title")`,
  (js) => `[open](%6Aavascript:${js})`,
  (js) => `[open](javascript\\:${js})`,
  (js) => `www.example.org/<img src=x onerror=${js}>`,
  (js) => `https://example.org/"><img src=x onerror=${js}>`,
  (js) => `mailto:x@example.org?body=<script>${js}</script>`,
  (js) => `[open](mailto:x@example.org" onclick="${js})`,
  (js) => `![open](data:image/svg+xml,<svg onload=${js}>)`,
  (js) => `[![x](https://example.org/i.png)](javascript:${js})`,
  (js) => `<a href="javascript:${js}">[open](https://example.org)</a>`,
  (js) => `[open](java\nscript:${js})`,
  (js) => `1. <details open ontoggle=${js}>`,
  (js) => `| a | b |\n|---|---|\n| <img src=x onerror=${js}> | [x](javascript:${js}) |`,
  (js) => `[open](\u006aavascript:${js})`,
  (js) => `[open]( javascript:${js})`,
];

/** javascript:, data: and vbscript: spelled every way a filter might miss. */
const SCHEMES: Array<(js: string, b64: string) => string> = [
  (js) => `javascript:${js}`,
  (js) => `JaVaScRiPt:${js}`,
  (js) => `${entities('javascript:', false)}${js}`,
  (js) => `${entities('javascript:', true)}${js}`,
  (js) => `java&#x09;script:${js}`,
  (js) => `java&#x0A;script:${js}`,
  (js) => `&#x20;javascript:${js}`,
  (js) => `javas&#99;ript:${js}`,
  (js) => `javascript&#x3A;${js}`,
  (js) => `&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058${js}`,
  (_js, b64) => `data:text/html;base64,${b64}`,
  (_js, b64) => `data:text/html;charset=utf-8;base64,${b64}`,
  (js) => `vbscript:${js}`,
  (js) => `javascript:void(${js})`,
  (js) => `%6a%61%76%61%73%63%72%69%70%74:${js}`,
];

/** Where a URL goes: a Markdown link, a Markdown image, an HTML link, a frame, an autolink. */
const URL_PLACES: Array<(url: string) => string> = [(u) => `[open](${u})`, (u) => `![x](${u})`, (u) => `<a href="${u}">open</a>`, (u) => `<iframe src="${u}"></iframe>`, (u) => `<${u}>`];

/** Event handlers on the elements that fire them without a click. */
const HANDLERS: Array<[string, string]> = [
  ['img src=x', 'onerror'],
  ['image src=x', 'onerror'],
  ['video src=x', 'onerror'],
  ['audio src=x', 'onerror'],
  ['video><source src=x', 'onerror'],
  ['input type=image src=x', 'onerror'],
  ['object data=x', 'onerror'],
  ['link rel=stylesheet href=x', 'onerror'],
  ['script src=x', 'onerror'],
  ['svg', 'onload'],
  ['svg/', 'onload'],
  ['body', 'onload'],
  ['body', 'onpageshow'],
  ['iframe', 'onload'],
  ['style', 'onload'],
  ['input autofocus', 'onfocus'],
  ['select autofocus', 'onfocus'],
  ['textarea autofocus', 'onfocus'],
  ['button autofocus', 'onfocus'],
  ['a href=# autofocus', 'onfocus'],
  ['div tabindex=1 autofocus', 'onfocusin'],
  ['details open', 'ontoggle'],
  ['marquee', 'onstart'],
  ['svg><animate attributeName=x dur=1s', 'onbegin'],
  ['svg><animate attributeName=x dur=1s repeatCount=2', 'onrepeat'],
  ['svg><animate attributeName=x dur=1s', 'onend'],
  ['div style=animation-name:x', 'onanimationstart'],
  ['div style=transition:all 1s', 'ontransitionend'],
  ['body', 'onhashchange'],
  ['body', 'onresize'],
  ['body', 'onscroll'],
  ['img src=x', 'OnErRoR'],
  ['img src=x', 'onerror '],
  ['img/src=x/', 'onerror'],
  ['div', 'onpointerenter'],
  ['div', 'onmouseover'],
  ['input', 'oninput'],
];

/** The same call hidden behind encodings: entities, escapes, other alphabets. */
const ENCODING: Shape[] = [
  (js) => `\\u003cimg src=x onerror=${js}\\u003e`,
  (js) => `＜img src=x onerror=${js}＞`,
  (js) => `%3Cimg%20src%3Dx%20onerror%3D${encodeURIComponent(js)}%3E`,
  (js) => `&lt;img src=x onerror=${js}&gt;`,
  (js) => `&#60;img src=x onerror=${js}&#62;`,
  (js) => `&amp;lt;img src=x onerror=${js}&amp;gt;`,
  (js) => `\\x3cimg src=x onerror=${js}\\x3e`,
  (js) => `<\u200Bimg src=x onerror=${js}>`,
  (js) => `\u202E<img src=x onerror=${js}>`,
  (js) => `<img src=x onerror="${entities(js, true)}">`,
  (js) => `<img src=x onerror="${entities(js, false)}">`,
  (_js, _b64, id) => `<img src=x onerror=\\u005f\\u005fxss('${id}')>`,
  (_js, _b64, id) => `<img src=x onerror=window['\\x5f\\x5fxss']('${id}')>`,
  (js) => `&#x3C;script&#x3E;${js}&#x3C;/script&#x3E;`,
  (js) => `<img src=x onerror=${js}\u0000>`,
  (js) => `<img\u0000 src=x onerror=${js}>`,
  (js) => `<img src=x onerror=${js} \u2028>`,
];

/** What template engines (Angular, Vue, Handlebars, JS template literals) would evaluate. */
const TEMPLATE: Shape[] = [
  (js) => `{{constructor.constructor("${js}")()}}`,
  (js) => `{{$on.constructor("${js}")()}}`,
  (js) => `\${${js}}`,
  (js) => `\`\${${js}}\``,
  (js) => `#{${js}}`,
  (js) => `<%= ${js} %>`,
  (js) => `{{=${js}}}`,
  (js) => `[[\${${js}}]]`,
  (js) => `{{'a'.constructor.prototype.charAt=[].join;$eval('x=${js.replace(/'/g, '"')}');}}`,
  (js) => `{{_c.constructor('${js.replace(/'/g, '"')}')()}}`,
  (js) => `<div v-html="'<img src=x onerror=${js.replace(/'/g, '')}>'"></div>`,
  (js) => `{{#with "s" as |string|}}{{string.constructor "${js}"}}{{/with}}`,
];

function build(): XssPayload[] {
  const out: XssPayload[] = [];
  const add = (family: XssPayload['family'], make: Shape) => {
    const id = `x${String(out.length + 1).padStart(3, '0')}`;
    const js = `__xss('${id}')`;
    const b64 = Buffer.from(`<script>(parent.__xss||top.__xss||__xss)('${id}')</script>`).toString('base64');
    out.push({ id, family, text: make(js, b64, id) });
  };
  for (const shape of HTML) add('html', shape);
  for (const shape of MXSS) add('mxss', shape);
  for (const shape of MARKDOWN) add('markdown', shape);
  for (const scheme of SCHEMES) for (const place of URL_PLACES) add('scheme', (js, b64) => place(scheme(js, b64)));
  for (const [tag, handler] of HANDLERS) add('handler', (js) => `<${tag} ${handler}=${js}>`);
  for (const shape of ENCODING) add('encoding', shape);
  for (const shape of TEMPLATE) add('template', shape);
  return out;
}

export const XSS_PAYLOADS: readonly XssPayload[] = build();

/** The public site's message catalogue. Spanish is a first-class language, not an afterthought. */
export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

export interface Messages {
  languageName: string;
  switchTo: string;
  skipToContent: string;
  virtualBranch: string;
  heroTitle: (library: string) => string;
  heroLead: string;
  howToReach: string;
  callUs: string;
  emailUs: string;
  visitWebsite: string;
  locations: string;
  openToday: string;
  closedToday: string;
  hoursTodayLabel: (branch: string) => string;
  and: string;
  noLocations: string;
  helpWith: string;
  helpTopics: string[];
  privacy: string;
  staffSignIn: string;
  notSetUp: string;
  chatWithLibrarian: string;
  chatLead: string;
  chatDesks: string;
  openNow: string;
  closedNow: string;
  deskNotFound: string;
  noScriptIntro: string;
  yourEmail: string;
  yourName: string;
  optional: string;
  yourQuestion: string;
  sendQuestion: string;
  questionThanks: string;
  questionThanksLead: string;
  backToChat: string;
  fixErrors: string;
  errorEmail: string;
  errorMessage: string;
}

export const MESSAGES: Record<Locale, Messages> = {
  en: {
    languageName: 'English',
    switchTo: 'Español',
    skipToContent: 'Skip to main content',
    virtualBranch: 'Virtual branch',
    heroTitle: (library) => `${library}, wherever you are`,
    heroLead:
      'Librarians answer your questions from home: finding a book or an article, using your library card and e-books, getting online, and connecting you with services in the community.',
    howToReach: 'How to reach a librarian',
    callUs: 'Call us',
    emailUs: 'Email us',
    visitWebsite: 'Library website',
    locations: 'Locations and hours today',
    openToday: 'Open today',
    closedToday: 'Closed today',
    hoursTodayLabel: (branch) => `Hours today at ${branch}`,
    and: 'and',
    noLocations: 'Location details will appear here soon.',
    helpWith: 'What we can help with',
    helpTopics: [
      'Finding books, articles and local information',
      'Library cards, holds, e-books and audiobooks',
      'Computers, Wi-Fi hotspots and getting online',
      'Services for people with print disabilities',
      'Referrals to job, housing, legal and health services',
    ],
    privacy:
      'Your questions are private. We do not need your name to help you, and we delete conversation details after a set time.',
    staffSignIn: 'Staff sign in',
    notSetUp: 'This library has not been set up yet.',
    chatWithLibrarian: 'Chat with a librarian',
    chatLead: 'Ask anything: no account needed, and you do not have to give your name.',
    chatDesks: 'Choose who to ask',
    openNow: 'Open now',
    closedNow: 'Closed now — leave a question and we will answer by email',
    deskNotFound: 'There is no such chat at this library.',
    noScriptIntro:
      'Live chat needs JavaScript, which is turned off in your browser. Leave your question here and we will answer by email within one business day.',
    yourEmail: 'Your email address',
    yourName: 'Your name',
    optional: 'optional',
    yourQuestion: 'Your question',
    sendQuestion: 'Send question',
    questionThanks: 'Thank you — your question is on its way',
    questionThanksLead: 'A librarian will answer by email within one business day.',
    backToChat: 'Back to the chat page',
    fixErrors: 'Please fix the following:',
    errorEmail: 'Enter an email address such as name@example.com, so we can answer you.',
    errorMessage: 'Write your question (up to 4,000 characters).',
  },
  es: {
    languageName: 'Español',
    switchTo: 'English',
    skipToContent: 'Saltar al contenido principal',
    virtualBranch: 'Sucursal virtual',
    heroTitle: (library) => `${library}, dondequiera que estés`,
    heroLead:
      'Nuestros bibliotecarios responden tus preguntas desde casa: encontrar un libro o un artículo, usar tu tarjeta de la biblioteca y los libros electrónicos, conectarte a internet y encontrar servicios en la comunidad.',
    howToReach: 'Cómo comunicarte con un bibliotecario',
    callUs: 'Llámanos',
    emailUs: 'Escríbenos',
    visitWebsite: 'Sitio web de la biblioteca',
    locations: 'Sucursales y horario de hoy',
    openToday: 'Abierto hoy',
    closedToday: 'Cerrado hoy',
    hoursTodayLabel: (branch) => `Horario de hoy en ${branch}`,
    and: 'y',
    noLocations: 'Pronto verás aquí la información de nuestras sucursales.',
    helpWith: 'En qué podemos ayudarte',
    helpTopics: [
      'Encontrar libros, artículos e información local',
      'Tarjetas de la biblioteca, reservas, libros electrónicos y audiolibros',
      'Computadoras, puntos de acceso Wi-Fi y conexión a internet',
      'Servicios para personas con discapacidades que dificultan la lectura',
      'Referencias a servicios de empleo, vivienda, asesoría legal y salud',
    ],
    privacy:
      'Tus preguntas son privadas. No necesitamos tu nombre para ayudarte, y borramos los detalles de las conversaciones después de un tiempo establecido.',
    staffSignIn: 'Acceso para el personal',
    notSetUp: 'Esta biblioteca aún no está configurada.',
    chatWithLibrarian: 'Chatea con un bibliotecario',
    chatLead: 'Pregunta lo que quieras: no necesitas una cuenta ni dar tu nombre.',
    chatDesks: 'Elige a quién preguntar',
    openNow: 'Abierto ahora',
    closedNow: 'Cerrado ahora: deja tu pregunta y te responderemos por correo electrónico',
    deskNotFound: 'Este chat no existe en esta biblioteca.',
    noScriptIntro:
      'El chat en vivo necesita JavaScript, que está desactivado en tu navegador. Deja tu pregunta aquí y te responderemos por correo electrónico en un día hábil.',
    yourEmail: 'Tu correo electrónico',
    yourName: 'Tu nombre',
    optional: 'opcional',
    yourQuestion: 'Tu pregunta',
    sendQuestion: 'Enviar pregunta',
    questionThanks: 'Gracias: tu pregunta va en camino',
    questionThanksLead: 'Un bibliotecario te responderá por correo electrónico en un día hábil.',
    backToChat: 'Volver a la página del chat',
    fixErrors: 'Corrige lo siguiente:',
    errorEmail: 'Escribe un correo electrónico como nombre@ejemplo.com para poder responderte.',
    errorMessage: 'Escribe tu pregunta (hasta 4.000 caracteres).',
  },
};

/** ?lang= wins, then the Accept-Language header, then English. */
export function pickLocale(query: string | undefined, acceptLanguage: string | undefined): Locale {
  if (query === 'en' || query === 'es') return query;
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { tag: (tag ?? '').toLowerCase().slice(0, 2), q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  const match = wanted.find((w) => w.tag === 'en' || w.tag === 'es');
  return (match?.tag as Locale | undefined) ?? 'en';
}

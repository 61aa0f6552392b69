// lab/openapi.ts — the OpenAPI 3.0 document each variant serves at /openapi.json (documented intent, not actual behaviour).
import type { LabVariant } from './variants.js';

type Schema = Record<string, unknown>;

const ERROR: Schema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' } },
};

const PRODUCT: Schema = {
  type: 'object',
  required: ['id', 'name', 'description', 'category', 'price', 'stock'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string' },
    description: { type: 'string' },
    category: { type: 'string' },
    price: { type: 'number', minimum: 0 },
    stock: { type: 'integer', minimum: 0 },
  },
};

const ORDER: Schema = {
  type: 'object',
  required: ['id', 'userId', 'productId', 'quantity', 'total', 'status', 'createdAt'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    userId: { type: 'integer' },
    productId: { type: 'integer' },
    quantity: { type: 'integer' },
    total: { type: 'number' },
    status: { type: 'string', enum: ['pending', 'shipped', 'delivered'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const NOTE: Schema = {
  type: 'object',
  required: ['id', 'userId', 'title', 'body', 'createdAt'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    userId: { type: 'integer' },
    title: { type: 'string' },
    body: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const USER: Schema = {
  type: 'object',
  required: ['id', 'username', 'displayName', 'role'],
  properties: {
    id: { type: 'integer', minimum: 1 },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ['user', 'admin'] },
  },
};

const SUMMARY: Schema = {
  type: 'object',
  required: ['products', 'orders', 'categories'],
  properties: {
    products: { type: 'integer' },
    orders: { type: 'integer' },
    categories: {
      type: 'array',
      items: {
        type: 'object',
        required: ['category', 'products', 'averagePrice'],
        properties: { category: { type: 'string' }, products: { type: 'integer' }, averagePrice: { type: 'number' } },
      },
    },
  },
};

const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const json = (schema: Schema): Schema => ({ 'application/json': { schema } });
const reply = (description: string, schema: Schema): Schema => ({ description, content: json(schema) });
const failure = (description: string): Schema => reply(description, ERROR);
const body = (schema: Schema, example: unknown): Schema => ({ required: true, content: { 'application/json': { schema, example } } });
const idParam = (what: string, example: number): Schema => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `The ${what}'s id.`,
  schema: { type: 'integer', minimum: 1, example },
});

/** Either credential works on every protected operation. */
const AUTH = [{ bearerAuth: [] }, { cookieAuth: [] }];
const R401 = failure('Missing or invalid credentials.');
const R403 = failure('Authenticated but not allowed.');
const R400 = failure('Invalid input.');
const R404 = failure('Not found.');

function paths(variant: LabVariant): Record<string, Record<string, Schema>> {
  const p: Record<string, Record<string, Schema>> = {
    '/api/login': {
      post: {
        operationId: 'login',
        tags: ['auth'],
        summary: 'Exchange a username and password for a JWT.',
        requestBody: body(
          {
            type: 'object',
            required: ['username', 'password'],
            properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
          },
          { username: 'alice', password: 'alice-pass' },
        ),
        responses: {
          '200': reply('Signed in.', {
            type: 'object',
            required: ['token', 'tokenType', 'expiresIn'],
            properties: { token: { type: 'string' }, tokenType: { type: 'string', enum: ['Bearer'] }, expiresIn: { type: 'integer' } },
          }),
          '400': R400,
          '401': failure('Wrong username or password.'),
        },
      },
    },
    '/api/products': {
      get: {
        operationId: 'listProducts',
        tags: ['products'],
        summary: 'List products, optionally of one category.',
        parameters: [{ name: 'category', in: 'query', required: false, schema: { type: 'string', maxLength: 50, example: 'games' } }],
        responses: { '200': reply('The products.', arrayOf(PRODUCT)), '400': R400 },
      },
      post: {
        operationId: 'createProduct',
        tags: ['products'],
        summary: 'Add a product (admin).',
        security: AUTH,
        requestBody: body(
          {
            type: 'object',
            required: ['name', 'category', 'price'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 100 },
              description: { type: 'string', maxLength: 500 },
              category: { type: 'string', minLength: 1, maxLength: 50 },
              price: { type: 'number', minimum: 0, maximum: 100000 },
              stock: { type: 'integer', minimum: 0, maximum: 100000 },
            },
          },
          { name: 'Sketchbook', description: 'A4, 80 pages.', category: 'stationery', price: 8.5, stock: 20 },
        ),
        responses: { '201': reply('Created.', PRODUCT), '400': R400, '401': R401, '403': R403 },
      },
    },
    '/api/products/search': {
      get: {
        operationId: 'searchProducts',
        tags: ['products'],
        summary: 'Search products by name.',
        parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 100, example: 'pen' } }],
        responses: { '200': reply('Matching products.', arrayOf(PRODUCT)), '400': R400 },
      },
    },
    '/api/products/{id}': {
      get: {
        operationId: 'getProduct',
        tags: ['products'],
        summary: 'One product.',
        parameters: [idParam('product', 1)],
        responses: { '200': reply('The product.', PRODUCT), '400': R400, '404': R404 },
      },
      delete: {
        operationId: 'deleteProduct',
        tags: ['products'],
        summary: 'Remove a product (admin).',
        security: AUTH,
        parameters: [idParam('product', 10)],
        responses: { '204': { description: 'Deleted.' }, '400': R400, '401': R401, '403': R403, '404': R404 },
      },
    },
    '/api/orders': {
      get: {
        operationId: 'listOrders',
        tags: ['orders'],
        summary: "The caller's orders (all orders for an admin).",
        security: AUTH,
        responses: { '200': reply('The orders.', arrayOf(ORDER)), '401': R401, '403': R403 },
      },
      post: {
        operationId: 'createOrder',
        tags: ['orders'],
        summary: 'Place an order.',
        security: AUTH,
        requestBody: body(
          {
            type: 'object',
            required: ['productId', 'quantity'],
            properties: { productId: { type: 'integer', minimum: 1 }, quantity: { type: 'integer', minimum: 1, maximum: 100 } },
          },
          { productId: 2, quantity: 1 },
        ),
        responses: { '201': reply('Placed.', ORDER), '400': R400, '401': R401, '403': R403 },
      },
    },
    '/api/orders/{id}': {
      get: {
        operationId: 'getOrder',
        tags: ['orders'],
        summary: 'One of the caller’s orders.',
        security: AUTH,
        parameters: [idParam('order', 1)],
        responses: { '200': reply('The order.', ORDER), '400': R400, '401': R401, '403': R403, '404': R404 },
      },
    },
    '/api/notes': {
      get: {
        operationId: 'listNotes',
        tags: ['notes'],
        summary: "The caller's notes.",
        security: AUTH,
        responses: { '200': reply('The notes.', arrayOf(NOTE)), '401': R401, '403': R403 },
      },
      post: {
        operationId: 'createNote',
        tags: ['notes'],
        summary: 'Write a note.',
        security: AUTH,
        requestBody: body(
          {
            type: 'object',
            required: ['title', 'body'],
            properties: { title: { type: 'string', minLength: 1, maxLength: 100 }, body: { type: 'string', maxLength: 2000 } },
          },
          { title: 'Reminder', body: 'Order more ink.' },
        ),
        responses: { '201': reply('Written.', NOTE), '400': R400, '401': R401, '403': R403 },
      },
    },
    '/api/notes/{id}': {
      get: {
        operationId: 'getNote',
        tags: ['notes'],
        summary: 'One of the caller’s notes.',
        security: AUTH,
        parameters: [idParam('note', 1)],
        responses: { '200': reply('The note.', NOTE), '400': R400, '401': R401, '403': R403, '404': R404 },
      },
      delete: {
        operationId: 'deleteNote',
        tags: ['notes'],
        summary: 'Delete one of the caller’s notes.',
        security: AUTH,
        parameters: [idParam('note', 2)],
        responses: { '204': { description: 'Deleted.' }, '400': R400, '401': R401, '403': R403, '404': R404 },
      },
    },
    '/api/users': {
      get: {
        operationId: 'listUsers',
        tags: ['users'],
        summary: 'All users (admin).',
        security: AUTH,
        responses: { '200': reply('The users.', arrayOf(USER)), '401': R401, '403': R403 },
      },
    },
    '/api/users/me': {
      get: {
        operationId: 'getProfile',
        tags: ['users'],
        summary: "The caller's profile.",
        security: AUTH,
        responses: { '200': reply('The profile.', USER), '401': R401, '403': R403 },
      },
      patch: {
        operationId: 'updateProfile',
        tags: ['users'],
        summary: "Change the caller's display name.",
        security: AUTH,
        requestBody: body(
          { type: 'object', required: ['displayName'], properties: { displayName: { type: 'string', minLength: 1, maxLength: 50 } } },
          { displayName: 'Alice A.' },
        ),
        responses: { '200': reply('The updated profile.', USER), '400': R400, '401': R401, '403': R403 },
      },
    },
    '/api/users/{id}': {
      get: {
        operationId: 'getUser',
        tags: ['users'],
        summary: 'One user (admin, or the user themself).',
        security: AUTH,
        parameters: [idParam('user', 1)],
        responses: { '200': reply('The user.', USER), '400': R400, '401': R401, '403': R403, '404': R404 },
      },
    },
    '/api/reports/summary': {
      get: {
        operationId: 'getSummary',
        tags: ['reports'],
        summary: 'Shop figures by category.',
        responses: { '200': reply('The summary.', SUMMARY) },
      },
    },
    '/api/files': {
      get: {
        operationId: 'downloadFile',
        tags: ['files'],
        summary: 'Download a public document (catalog.txt, terms.txt, shipping.txt).',
        parameters: [{ name: 'name', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 100, example: 'catalog.txt' } }],
        responses: {
          '200': { description: 'The file.', content: { 'text/plain': { schema: { type: 'string' } } } },
          '400': R400,
          '404': R404,
        },
      },
    },
  };
  if (variant === 'candidate') {
    p['/api/register'] = {
      post: {
        operationId: 'register',
        tags: ['auth'],
        summary: 'Create an account.',
        requestBody: body(
          {
            type: 'object',
            required: ['username', 'password'],
            properties: {
              username: { type: 'string', pattern: '^[a-z0-9_]{3,20}$' },
              password: { type: 'string', minLength: 6, maxLength: 200 },
              displayName: { type: 'string', minLength: 1, maxLength: 50 },
            },
          },
          { username: 'carol', password: 'carol-pass', displayName: 'Carol' },
        ),
        responses: { '201': reply('Created.', USER), '400': R400, '409': failure('Username taken.') },
      },
    };
  }
  return p;
}

/** The variant's OpenAPI document. It never lists the SPA-only, debug or shadow routes. */
export function openApiDocument(variant: LabVariant): Schema {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Lab Shop API',
      version: variant === 'candidate' ? '1.1.0' : '1.0.0',
      description: 'The JSON API of the vouch lab shop (an intentionally vulnerable app).',
    },
    servers: [{ url: '/' }],
    tags: ['auth', 'products', 'orders', 'notes', 'users', 'reports', 'files'].map((name) => ({ name })),
    paths: paths(variant),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'sid' },
      },
    },
  };
}

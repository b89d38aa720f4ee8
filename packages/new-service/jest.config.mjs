import { jestConfig } from '../../jest.preset.mjs';

export default jestConfig('new-service');
